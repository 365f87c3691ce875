// Raw terminal input to key events: text, named keys (ctrl+c, shift+tab, up...), and bracketed pastes.
/* eslint-disable no-control-regex -- terminal escape sequences are what this file matches */

export type Key =
  /** Printable text typed (a run of characters, so typing fast or an unbracketed paste arrives as one event). */
  | {type: 'text'; text: string}
  /** A named key: enter, backspace, delete, tab, shift+tab, escape, up/down/left/right, home, end, pageup, pagedown,
   * ctrl+<letter>, alt+<letter>, alt+enter, ctrl+left/right, alt+backspace. */
  | {type: 'key'; name: string}
  /** Text pasted in a terminal with bracketed paste on (newlines in it never submit). */
  | {type: 'paste'; text: string}

const PASTE_START = '\u001B[200~'
const PASTE_END = '\u001B[201~'

const CSI_FINAL: Record<string, string> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  Z: 'shift+tab',
  P: 'f1',
  Q: 'f2',
  R: 'f3',
  S: 'f4',
}

const CSI_TILDE: Record<string, string> = {
  '1': 'home',
  '2': 'insert',
  '3': 'delete',
  '4': 'end',
  '5': 'pageup',
  '6': 'pagedown',
  '7': 'home',
  '8': 'end',
}

/** xterm modifier parameter (1 + bits: shift 1, alt 2, ctrl 4) to a name prefix. */
function modifierPrefix(param: string | undefined): string {
  const value = Number(param ?? '1') - 1
  if (!Number.isInteger(value) || value <= 0) return ''
  const parts: string[] = []
  if (value & 4) parts.push('ctrl')
  if (value & 2) parts.push('alt')
  if (value & 1) parts.push('shift')
  return parts.length > 0 ? `${parts.join('+')}+` : ''
}

function controlKey(char: string): Key {
  switch (char) {
    case '\r':
      return {type: 'key', name: 'enter'}
    case '\n':
      return {type: 'key', name: 'ctrl+j'}
    case '\t':
      return {type: 'key', name: 'tab'}
    case '\u007F':
    case '\b':
      return {type: 'key', name: 'backspace'}
    case '\u0000':
      return {type: 'key', name: 'ctrl+space'}
    default: {
      const code = char.charCodeAt(0)
      if (code >= 1 && code <= 26) return {type: 'key', name: `ctrl+${String.fromCharCode(code + 96)}`}
      return {type: 'key', name: `ctrl+${code}`}
    }
  }
}

/**
 * Stateful: a sequence split across two reads is completed by the next `push`. A lone ESC could be the start of a
 * sequence, so it waits: call `flush()` when no more input came shortly after (the caller's timer) to get `escape`.
 */
export class KeyDecoder {
  private pending = ''
  private pasting: string | undefined

  push(input: string): Key[] {
    this.pending += input
    const keys: Key[] = []
    const emitText = (text: string) => {
      const last = keys.at(-1)
      if (last?.type === 'text') last.text += text
      else keys.push({type: 'text', text})
    }
    while (this.pending.length > 0) {
      if (this.pasting !== undefined) {
        const end = this.pending.indexOf(PASTE_END)
        if (end === -1) {
          // Keep a possible partial end marker back for the next read.
          const keepFrom = Math.max(0, this.pending.length - PASTE_END.length + 1)
          this.pasting += this.pending.slice(0, keepFrom)
          this.pending = this.pending.slice(keepFrom)
          break
        }
        keys.push({type: 'paste', text: (this.pasting + this.pending.slice(0, end)).replace(/\r\n?/g, '\n')})
        this.pasting = undefined
        this.pending = this.pending.slice(end + PASTE_END.length)
        continue
      }
      const char = this.pending[0] as string
      if (char === '\u001B') {
        const consumed = this.escape(keys)
        if (consumed === 0) break
        this.pending = this.pending.slice(consumed)
        continue
      }
      const code = char.charCodeAt(0)
      if (code < 0x20 || code === 0x7f) {
        // \r\n from a terminal that sends both for Enter counts once.
        const width = char === '\r' && this.pending[1] === '\n' ? 2 : 1
        keys.push(controlKey(char))
        this.pending = this.pending.slice(width)
        continue
      }
      let end = 1
      while (end < this.pending.length) {
        const next = this.pending.charCodeAt(end)
        if (next < 0x20 || next === 0x7f) break
        end++
      }
      emitText(this.pending.slice(0, end))
      this.pending = this.pending.slice(end)
    }
    return keys
  }

  /** True when a lone ESC (or an unfinished sequence) waits for more input. */
  get waiting(): boolean {
    return this.pending.length > 0 && this.pasting === undefined
  }

  /** Gives up waiting: what is pending becomes `escape` (plus whatever followed it, decoded as plain keys). */
  flush(): Key[] {
    if (!this.waiting) return []
    const rest = this.pending.slice(1)
    this.pending = ''
    return [{type: 'key', name: 'escape'}, ...(rest ? this.push(rest) : [])]
  }

  /** Decodes an escape sequence at the start of `pending`; returns how many characters it used, 0 to wait for more. */
  private escape(keys: Key[]): number {
    const text = this.pending
    if (text.length === 1) return 0
    const second = text[1] as string
    if (second === '[') {
      if (text.startsWith(PASTE_START)) {
        this.pasting = ''
        return PASTE_START.length
      }
      const match = /^\u001B\[([0-9;:?<=>]*)([ -/]*)([@-~])/.exec(text)
      if (!match) return /^\u001B\[[0-9;:?<=>]*[ -/]*$/.test(text) ? 0 : 2
      const [whole, params = '', , final = ''] = match
      const parts = params.split(';')
      let name: string | undefined
      if (final === '~') {
        const base = CSI_TILDE[parts[0] ?? '']
        name = base ? modifierPrefix(parts[1]) + base : undefined
      } else if (final === 'u' && parts[0]) {
        // CSI u (fixterms/kitty): a key code with modifiers, e.g. shift+enter.
        const base = parts[0] === '13' ? 'enter' : parts[0] === '9' ? 'tab' : parts[0] === '127' ? 'backspace' : ''
        if (base) name = modifierPrefix(parts[1]) + base
      } else if (CSI_FINAL[final]) {
        name = final === 'Z' ? 'shift+tab' : modifierPrefix(parts[1]) + CSI_FINAL[final]
      }
      if (name) keys.push({type: 'key', name})
      return whole.length
    }
    if (second === 'O') {
      if (text.length < 3) return 0
      const name = CSI_FINAL[text[2] as string]
      if (name) keys.push({type: 'key', name})
      return 3
    }
    if (second === '\u001B') {
      keys.push({type: 'key', name: 'escape'})
      return 1
    }
    if (second === '\r' || second === '\n') {
      keys.push({type: 'key', name: 'alt+enter'})
      return 2
    }
    if (second === '\u007F' || second === '\b') {
      keys.push({type: 'key', name: 'alt+backspace'})
      return 2
    }
    keys.push({type: 'key', name: `alt+${second.toLowerCase()}`})
    return 2
  }
}
