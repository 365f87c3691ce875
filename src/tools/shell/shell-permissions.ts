// tools.core / tools.exclude for run_shell_command: every part of a command line is checked by whole-word prefix, the
// block-list wins, and a command that cannot be followed is refused. A convenience: the container is the boundary.
import path from 'node:path'

import {parseShellCommand, type SimpleCommand} from './shell-parse.js'

/** Names a settings entry may use for the shell tool (Qwen Code accepts both). */
export const SHELL_TOOL_NAMES: readonly string[] = ['run_shell_command', 'ShellTool']

export interface ShellRule {
  /** The entry as written in settings, e.g. `run_shell_command(git push)`. */
  entry: string
  /** Prefix words; undefined for a bare entry (every command). */
  prefix: string[] | undefined
}

export interface ShellPermissionRules {
  /** undefined: no tools.core (every command not blocked is allowed). */
  allow: ShellRule[] | undefined
  deny: ShellRule[]
}

export type ShellPermission =
  | {allowed: true}
  | {
      allowed: false
      reason: 'denied' | 'not-allowed' | 'unparseable'
      /** One line for the model and the user, naming the rule or the part at fault. */
      message: string
      /** The matching deny entry. */
      rule?: string
      /** The part of the command line at fault. */
      part?: string
    }

const ENTRY = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$/s

/** A settings entry about the shell tool as a rule, or undefined for entries about other tools. */
export function parseShellRule(entry: string): ShellRule | undefined {
  const match = ENTRY.exec(entry)
  if (!match || !SHELL_TOOL_NAMES.includes(match[1]!)) return undefined
  const inner = match[2]?.trim()
  return {entry: entry.trim(), prefix: inner ? inner.split(/\s+/) : undefined}
}

export function compileShellRules(lists: {
  core?: readonly string[] | undefined
  exclude?: readonly string[] | undefined
}): ShellPermissionRules {
  const rules = (entries: readonly string[]) =>
    entries.map(parseShellRule).filter((r): r is ShellRule => r !== undefined)
  return {allow: lists.core === undefined ? undefined : rules(lists.core), deny: rules(lists.exclude ?? [])}
}

/** Programs that run the rest of their arguments as a command; the block-list also checks what they run. */
export const WRAPPERS: ReadonlySet<string> = new Set([
  'env',
  'command',
  'builtin',
  'exec',
  'nohup',
  'time',
  'nice',
  'ionice',
  'sudo',
  'doas',
  'xargs',
  'timeout',
  'stdbuf',
  'setsid',
  'chrt',
  'taskset',
  'unbuffer',
])
export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash'])
const WRAPPER_ARGUMENT = /^(-.*|[A-Za-z_][A-Za-z0-9_]*=.*|\d+(\.\d+)?[smhd]?)$/

function basename(word: string): string {
  return word.includes('/') ? path.posix.basename(word) : word
}

interface Form {
  words: readonly string[]
  dynamic: readonly boolean[]
}

/** The forms a command is matched in against the block-list: as written, with `/usr/bin/rm` as `rm`, unwrapped. */
function blockForms(command: SimpleCommand): Form[] {
  const forms: Form[] = []
  let {words, dynamic} = command
  for (let guard = 0; words.length > 0 && guard < 8; guard++) {
    forms.push({words, dynamic}, {words: [basename(words[0]!), ...words.slice(1)], dynamic})
    if (!WRAPPERS.has(basename(words[0]!))) break
    let i = 1
    while (i < words.length && WRAPPER_ARGUMENT.test(words[i]!)) i++
    words = words.slice(i)
    dynamic = dynamic.slice(i)
  }
  return forms
}

/** Whether a rule's prefix matches: `unknown` when a word it depends on is only known at run time. */
function prefixMatch(form: Form, prefix: readonly string[]): 'yes' | 'no' | 'unknown' {
  for (let j = 0; j < prefix.length; j++) {
    if (j >= form.words.length) return 'no'
    if (form.dynamic[j]) return 'unknown'
    if (form.words[j] !== prefix[j]) return 'no'
  }
  return 'yes'
}

/** Expands `bash -c '...'` and `eval ...` into the commands they run; returns an error reason when it cannot. */
function expandInner(command: SimpleCommand, out: SimpleCommand[], depth: number): string | undefined {
  out.push(command)
  let i = 0
  while (i < command.words.length && WRAPPERS.has(basename(command.words[i]!))) {
    i++
    while (i < command.words.length && WRAPPER_ARGUMENT.test(command.words[i]!)) i++
  }
  const program = command.words[i]
  if (program === undefined) return undefined
  if (command.dynamic[i]) return `the program name in "${command.text}" is only known when it runs`
  let script: string | undefined
  let scriptDynamic = false
  const name = basename(program)
  if (name === 'eval') {
    script = command.words.slice(i + 1).join(' ')
    scriptDynamic = command.dynamic.slice(i + 1).some(Boolean)
  } else if (SHELLS.has(name)) {
    const flag = command.words.findIndex((w, j) => j > i && /^-[a-z]*c[a-z]*$/.test(w))
    if (flag !== -1) {
      script = command.words[flag + 1]
      scriptDynamic = command.dynamic[flag + 1] ?? false
    }
  }
  if (script === undefined) return undefined
  if (scriptDynamic) return `the script run by "${command.text}" is only known when it runs`
  if (depth > 4) return 'it nests shells too deeply'
  const inner = parseShellCommand(script)
  if (!inner.ok) return inner.reason
  for (const c of inner.commands) {
    const problem = expandInner(c, out, depth + 1)
    if (problem) return problem
  }
  return undefined
}

const quote = (text: string) => `"${text}"`

/** Decides whether a command line may run under the rules. Pure: no I/O. */
export function checkShellCommand(command: string, rules: ShellPermissionRules): ShellPermission {
  const denied = (rule: ShellRule, part?: string): ShellPermission => ({
    allowed: false,
    reason: 'denied',
    rule: rule.entry,
    ...(part !== undefined ? {part} : {}),
    message:
      `Command ${quote(command)} was denied by permission rules. Matching deny rule: ${quote(rule.entry)}.` +
      (part !== undefined && part !== command.trim() ? ` (matched by ${quote(part)})` : ''),
  })
  const bareDeny = rules.deny.find((rule) => rule.prefix === undefined)
  if (bareDeny) return denied(bareDeny)
  if (rules.allow !== undefined && rules.allow.length === 0) {
    return {
      allowed: false,
      reason: 'not-allowed',
      message: `Command ${quote(command)} is not allowed by permission rules: tools.core does not include run_shell_command, so no shell command may run.`,
    }
  }
  const allowAll = rules.allow === undefined || rules.allow.some((rule) => rule.prefix === undefined)
  if (allowAll && rules.deny.length === 0) return {allowed: true}

  const parsed = parseShellCommand(command)
  const unparseable = (reason: string): ShellPermission => ({
    allowed: false,
    reason: 'unparseable',
    message: `Command ${quote(command)} was refused: it cannot be checked against the tools.core/tools.exclude rules (${reason}). Split it into simpler commands.`,
  })
  if (!parsed.ok) return unparseable(parsed.reason)
  const parts: SimpleCommand[] = []
  for (const c of parsed.commands) {
    const problem = expandInner(c, parts, 0)
    if (problem) return unparseable(problem)
  }
  // The block-list wins: every part is checked against it before any part is checked against the allow-list.
  for (const part of parts) {
    for (const form of blockForms(part)) {
      for (const rule of rules.deny) {
        const match = prefixMatch(form, rule.prefix!)
        if (match === 'yes') return denied(rule, part.text)
        if (match === 'unknown')
          return unparseable(`"${part.text}" might match deny rule "${rule.entry}" once expanded`)
      }
    }
  }
  if (allowAll) return {allowed: true}
  for (const part of parts) {
    if (rules.allow!.some((rule) => prefixMatch(part, rule.prefix!) === 'yes')) continue
    const listed = rules.allow!.map((rule) => quote(rule.entry)).join(', ')
    return {
      allowed: false,
      reason: 'not-allowed',
      part: part.text,
      message: `Command ${quote(command)} is not allowed by permission rules: ${quote(part.text)} is not in tools.core (allowed: ${listed}).`,
    }
  }
  return {allowed: true}
}
