// A small bash parser for permission checks: splits a command line into simple commands, including those inside
// $(...), backticks, <(...) and subshells, and refuses what it cannot follow rather than guess.

/** One simple command as the permission rules see it. */
export interface SimpleCommand {
  /** Words after quote removal, without redirections, leading assignments and reserved words (`if`, `do`, `{`...). */
  words: string[]
  /** Per word: true when it holds an expansion (`$X`, `$(...)`, backticks) whose value is only known at run time. */
  dynamic: boolean[]
  /** The command's own source text, trimmed (for messages). */
  text: string
  /** Leading `NAME=value` words (environment for this command only), as written after quote removal. */
  assignments: string[]
  /** Its redirections, in order. */
  redirections: Redirection[]
}

/** One redirection: `2>&1`, `> out.txt`, `<<EOF` (the here-document's delimiter as its target). */
export interface Redirection {
  /** The operator with its file descriptor, e.g. `>`, `2>`, `>>`, `&>`, `2>&`, `<`, `<<`, `<<<`. */
  op: string
  target: string
  /** True when the target holds an expansion or glob whose value is only known at run time. */
  dynamic: boolean
}

export type ShellParse =
  | {
      ok: true
      commands: SimpleCommand[]
      background: boolean
      /** Redirections attached to no simple command (`> f` alone, `( ... ) > f`, `done > f`). */
      looseRedirections: Redirection[]
    }
  | {ok: false; reason: string}

const MAX_DEPTH = 16
const RESERVED_PREFIX = new Set(['!', '{', '(', 'if', 'then', 'else', 'elif', 'do', 'while', 'until', 'time'])
const CLOSERS = new Set(['}', 'fi', 'done', 'esac'])
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/

class ParseFailure extends Error {}

interface CommandState {
  words: string[]
  dynamic: boolean[]
  start: number
  /** Any word, redirection or operator seen since the last separator. */
  started: boolean
  word: string
  wordDynamic: boolean
  /** The word has an unquoted glob or brace character (its expansion is only known at run time). */
  wordGlob: boolean
  inWord: boolean
  /** The next word is a redirection target, not part of the command. */
  expectTarget: boolean
  /** The operator whose target is expected next. */
  redirectOp: string
  redirections: Redirection[]
}

interface PendingHeredoc {
  delimiter: string
  stripTabs: boolean
  quoted: boolean
}

function newState(start: number): CommandState {
  return {
    words: [],
    dynamic: [],
    start,
    started: false,
    word: '',
    wordDynamic: false,
    wordGlob: false,
    inWord: false,
    expectTarget: false,
    redirectOp: '',
    redirections: [],
  }
}

class Parser {
  pos = 0
  readonly commands: SimpleCommand[] = []
  readonly looseRedirections: Redirection[] = []
  pending: PendingHeredoc[] = []
  nesting = 0

  constructor(
    readonly src: string,
    readonly depth: number,
  ) {
    if (depth > MAX_DEPTH) this.fail('it nests substitutions too deeply')
  }

  fail(reason: string): never {
    throw new ParseFailure(reason)
  }

  /** Parses commands until the end, or until the `)` closing a `$(`, `<(`, `>(` or subshell. Returns the last operator. */
  parseList(closer: ')' | undefined): string | undefined {
    const src = this.src
    let cmd = newState(this.pos)
    let lastOp: string | undefined
    const separate = (op: string, width: number) => {
      this.endCommand(cmd)
      if (op !== '\n' || cmd.started) lastOp = op === '\n' ? ';' : op
      this.pos += width
      cmd = newState(this.pos)
    }
    while (this.pos < src.length) {
      const c = src[this.pos]!
      const next = src[this.pos + 1]
      if (c === ' ' || c === '\t' || c === '\r') {
        this.endWord(cmd)
        this.pos++
      } else if (c === '\\' && next === '\n') {
        this.pos += 2
      } else if (c === '\n') {
        separate('\n', 1)
        this.readHeredocBodies()
      } else if (c === '#' && !cmd.inWord) {
        while (this.pos < src.length && src[this.pos] !== '\n') this.pos++
      } else if (c === ';') {
        if (next === ';' || next === '&') this.fail('case statements are not supported')
        separate(';', 1)
      } else if (c === '&' && next === '&') {
        separate('&&', 2)
      } else if (c === '&' && next === '>') {
        const op = src[this.pos + 2] === '>' ? '&>>' : '&>'
        this.startRedirect(cmd, op)
        this.pos += op.length
      } else if (c === '&') {
        separate('&', 1)
      } else if (c === '|') {
        if (next === '|') separate('||', 2)
        else separate('|', next === '&' ? 2 : 1)
      } else if (c === '(') {
        if (cmd.inWord || cmd.words.length > 0 || cmd.expectTarget) {
          this.fail('"(" after a word (function definitions and arrays) is not supported')
        }
        if (next === '(') this.fail('arithmetic commands "(( ))" are not supported')
        this.endCommand(cmd)
        this.pos++
        this.nested(')')
        cmd = newState(this.pos)
        cmd.started = true
        lastOp = undefined
      } else if (c === ')') {
        if (closer !== ')') this.fail('it has an unbalanced ")"')
        this.endCommand(cmd)
        this.pos++
        return lastOp
      } else if ((c === '<' || c === '>') && next === '(') {
        this.touch(cmd)
        this.pos += 2
        this.nested(')')
        cmd.word += '<(...)'
        cmd.wordDynamic = true
      } else if (c === '<' || c === '>') {
        this.redirect(cmd)
      } else {
        this.touch(cmd)
        lastOp = undefined
        this.wordChar(cmd, false)
      }
    }
    if (closer === ')') this.fail('it has an unterminated "$(" or "("')
    this.endCommand(cmd)
    return lastOp
  }

  touch(cmd: CommandState): void {
    if (!cmd.started) cmd.start = this.pos
    cmd.started = true
    cmd.inWord = true
  }

  /** One piece of a word at `pos`: a character, an escape, quotes or an expansion. */
  wordChar(cmd: CommandState, inDoubleQuotes: boolean): void {
    const src = this.src
    const c = src[this.pos]!
    const next = src[this.pos + 1]
    if (c === '\\') {
      if (next === undefined) this.fail('it ends with a backslash')
      cmd.word += next
      this.pos += 2
    } else if (c === "'" && !inDoubleQuotes) {
      const end = src.indexOf("'", this.pos + 1)
      if (end === -1) this.fail("it has an unterminated ' quote")
      cmd.word += src.slice(this.pos + 1, end)
      this.pos = end + 1
    } else if (c === '"' && !inDoubleQuotes) {
      this.pos++
      this.doubleQuoted(cmd)
    } else if (c === '`') {
      this.backticks()
      cmd.word += '`...`'
      cmd.wordDynamic = true
    } else if (c === '$') {
      this.dollar(cmd, inDoubleQuotes)
    } else {
      if (!inDoubleQuotes && '*?[{'.includes(c)) cmd.wordGlob = true
      cmd.word += c
      this.pos++
    }
  }

  doubleQuoted(cmd: CommandState): void {
    const src = this.src
    while (this.pos < src.length && src[this.pos] !== '"') {
      const c = src[this.pos]
      const next = src[this.pos + 1]
      if (c === '\\') {
        if (next !== undefined && '$`"\\\n'.includes(next)) {
          if (next !== '\n') cmd.word += next
          this.pos += 2
        } else {
          cmd.word += '\\'
          this.pos++
        }
      } else this.wordChar(cmd, true)
    }
    if (this.pos >= src.length) this.fail('it has an unterminated " quote')
    this.pos++
  }

  dollar(cmd: CommandState, inDoubleQuotes: boolean): void {
    const src = this.src
    const next = src[this.pos + 1]
    if (next === '(' && src[this.pos + 2] === '(') {
      const end = this.matching(this.pos + 1, '(', ')')
      const body = src.slice(this.pos + 3, end - 1)
      if (/\$\(|`/.test(body)) this.fail('command substitution inside arithmetic is not supported')
      cmd.word += '$((...))'
      cmd.wordDynamic = true
      this.pos = end + 1
    } else if (next === '(') {
      this.pos += 2
      this.nested(')')
      cmd.word += '$(...)'
      cmd.wordDynamic = true
    } else if (next === '{') {
      const end = this.matching(this.pos + 1, '{', '}')
      if (/\$\(|`|<\(|>\(/.test(src.slice(this.pos, end)))
        this.fail('command substitution inside ${...} is not supported')
      cmd.word += src.slice(this.pos, end + 1)
      cmd.wordDynamic = true
      this.pos = end + 1
    } else if (next === "'" && !inDoubleQuotes) {
      // ANSI-C quoting: $'a\'b'
      let i = this.pos + 2
      while (i < src.length && src[i] !== "'") i += src[i] === '\\' ? 2 : 1
      if (i >= src.length) this.fail("it has an unterminated $' quote")
      cmd.word += src.slice(this.pos + 2, i).replace(/\\(.)/g, '$1')
      this.pos = i + 1
    } else if (next === '"' && !inDoubleQuotes) {
      this.pos += 2
      this.doubleQuoted(cmd)
    } else if (next !== undefined && /[A-Za-z_]/.test(next)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(this.pos + 1))![0]
      cmd.word += `$${name}`
      cmd.wordDynamic = true
      this.pos += 1 + name.length
    } else if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      cmd.word += `$${next}`
      cmd.wordDynamic = true
      this.pos += 2
    } else {
      cmd.word += '$'
      this.pos++
    }
  }

  /** Index of the bracket closing the one at `open`, skipping quoted text. */
  matching(open: number, opener: string, closer: string): number {
    let depth = 0
    for (let i = open; i < this.src.length; i++) {
      const c = this.src[i]
      if (c === '\\') i++
      else if (c === "'") {
        i = this.src.indexOf("'", i + 1)
        if (i === -1) break
      } else if (c === opener) depth++
      else if (c === closer && --depth === 0) return i
    }
    this.fail(`it has an unterminated "${opener}"`)
  }

  /** The commands inside `$(` / `<(` / `>(`, parsed in place with the same parser. */
  nested(closer: ')'): void {
    if (++this.nesting + this.depth > MAX_DEPTH) this.fail('it nests substitutions too deeply')
    const saved = this.pending
    this.pending = []
    this.parseList(closer)
    this.pending = saved
    this.nesting--
  }

  /** `...` : the inner text (with \` \\ \$ unescaped) is parsed as its own command line. */
  backticks(): void {
    const src = this.src
    let inner = ''
    let i = this.pos + 1
    for (; i < src.length && src[i] !== '`'; i++) {
      if (src[i] === '\\' && i + 1 < src.length && '`\\$'.includes(src[i + 1]!)) inner += src[++i]
      else inner += src[i]
    }
    if (i >= src.length) this.fail('it has an unterminated backtick')
    this.pos = i + 1
    this.sub(inner)
  }

  sub(source: string): void {
    const parser = new Parser(source, this.depth + 1)
    parser.parseList(undefined)
    this.commands.push(...parser.commands)
    this.looseRedirections.push(...parser.looseRedirections)
  }

  startRedirect(cmd: CommandState, op: string): void {
    this.endWord(cmd)
    if (!cmd.started) cmd.start = this.pos
    cmd.started = true
    cmd.expectTarget = true
    cmd.redirectOp = op
  }

  redirect(cmd: CommandState): void {
    // A word made only of digits right before the operator is a file descriptor (2>), not an argument.
    let fd = ''
    if (cmd.inWord && /^\d+$/.test(cmd.word) && !cmd.wordDynamic) {
      fd = cmd.word
      cmd.inWord = false
      cmd.word = ''
    }
    const src = this.src
    if (src.startsWith('<<<', this.pos)) {
      this.startRedirect(cmd, `${fd}<<<`)
      this.pos += 3
    } else if (src.startsWith('<<', this.pos)) {
      this.endWord(cmd)
      cmd.started = true
      this.pos += 2
      const stripTabs = src[this.pos] === '-'
      if (stripTabs) this.pos++
      while (src[this.pos] === ' ' || src[this.pos] === '\t') this.pos++
      const delimiterState = newState(this.pos)
      const startAt = this.pos
      while (this.pos < src.length && !/[\s;&|<>()]/.test(src[this.pos]!)) this.wordChar(delimiterState, false)
      const raw = src.slice(startAt, this.pos)
      if (delimiterState.word === '') this.fail('it has a here-document without a delimiter')
      this.pending.push({delimiter: delimiterState.word, stripTabs, quoted: /['"\\]/.test(raw)})
      cmd.redirections.push({op: `${fd}<<${stripTabs ? '-' : ''}`, target: delimiterState.word, dynamic: false})
    } else {
      const op = /^(>>|>\||>&|<&|<>|>|<)/.exec(src.slice(this.pos))![0]
      this.startRedirect(cmd, fd + op)
      this.pos += op.length
    }
  }

  /** After a newline: the bodies of pending here-documents are data, except substitutions in unquoted ones. */
  readHeredocBodies(): void {
    const pending = this.pending
    this.pending = []
    for (const doc of pending) {
      const lines: string[] = []
      for (;;) {
        if (this.pos >= this.src.length) break
        const end = this.src.indexOf('\n', this.pos)
        const line = this.src.slice(this.pos, end === -1 ? this.src.length : end)
        this.pos = end === -1 ? this.src.length : end + 1
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) break
        lines.push(line)
      }
      if (!doc.quoted) this.scanExpansions(lines.join('\n'))
    }
  }

  /** Finds $(...) and backticks in text that is otherwise data (an unquoted here-document body). */
  scanExpansions(text: string): void {
    if (!/\$\(|`|\$\{/.test(text)) return
    const parser = new Parser(text, this.depth + 1)
    const scratch = newState(0)
    while (parser.pos < text.length) {
      const c = text[parser.pos]
      if (c === '\\') parser.pos += 2
      else if (c === '$' || c === '`') parser.wordChar(scratch, true)
      else parser.pos++
    }
    this.commands.push(...parser.commands)
  }

  endWord(cmd: CommandState): void {
    if (!cmd.inWord) return
    if (cmd.expectTarget) {
      cmd.expectTarget = false
      cmd.redirections.push({op: cmd.redirectOp, target: cmd.word, dynamic: cmd.wordDynamic || cmd.wordGlob})
    } else {
      const glob = cmd.wordGlob && !['[', '[[', '{'].includes(cmd.word)
      cmd.words.push(cmd.word)
      cmd.dynamic.push(cmd.wordDynamic || glob)
    }
    cmd.word = ''
    cmd.wordDynamic = false
    cmd.wordGlob = false
    cmd.inWord = false
  }

  endCommand(cmd: CommandState): void {
    this.endWord(cmd)
    if (cmd.expectTarget) this.fail('it has a redirection without a target')
    const {words, dynamic} = cmd
    const assignments: string[] = []
    let i = 0
    for (;;) {
      if (i < words.length && !dynamic[i] && (RESERVED_PREFIX.has(words[i]!) || CLOSERS.has(words[i]!))) i++
      else if (i < words.length && ASSIGNMENT.test(words[i]!)) assignments.push(words[i++]!)
      else break
    }
    const first = words[i]
    if (first === undefined || first === 'for' || first === 'select') {
      this.looseRedirections.push(...cmd.redirections)
      return
    }
    if (first === 'case' || first === 'function' || first === 'coproc') this.fail(`"${first}" is not supported`)
    let end = words.length
    while (end > i + 1 && words[end - 1] === '}' && !dynamic[end - 1]) end--
    this.commands.push({
      words: words.slice(i, end),
      dynamic: dynamic.slice(i, end),
      text: this.src.slice(cmd.start, this.pos).trim(),
      assignments,
      redirections: cmd.redirections,
    })
  }
}

/** Splits a bash command line into the simple commands it runs; `ok: false` says why it could not be followed. */
export function parseShellCommand(source: string): ShellParse {
  const parser = new Parser(source, 0)
  try {
    const lastOp = parser.parseList(undefined)
    return {
      ok: true,
      commands: parser.commands,
      background: lastOp === '&',
      looseRedirections: parser.looseRedirections,
    }
  } catch (error) {
    if (error instanceof ParseFailure) return {ok: false, reason: error.message}
    throw error
  }
}

/** True when the command line ends with a single `&` (runs in the background), also when it cannot be parsed. */
export function endsWithBackgroundOperator(command: string): boolean {
  const parsed = parseShellCommand(command)
  if (parsed.ok) return parsed.background
  return /(^|[^&\\])&\s*$/.test(command)
}
