// Terminal text for both renderers: measuring (colour codes take no room, wide characters two columns), wrapping,
// cutting, and making command output and model text safe to print.
/* eslint-disable no-control-regex -- terminal escape sequences are what this file matches */

const SGR = /\u001B\[[0-9;:]*m/g
const ANY_ESCAPE =
  /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[P^_][^\u001B]*\u001B\\|\u001B[@-Z\\-_]|\u001B[()#][0-9A-Za-z]/g
const TOKEN = /\u001B\[[0-9;:]*m|[\s\S]/gu

/** Removes every escape sequence (colours, cursor movement, titles). */
export function stripAnsi(text: string): string {
  return text.replace(ANY_ESCAPE, '')
}

/**
 * Text from the model (its words, a command it wants to run) made safe to print: control characters, escape
 * sequences included, are shown as `\e` or `\xNN` instead of acting on the terminal, so a command cannot hide or
 * rewrite what the approval question shows. Newlines stay, a tab becomes a space, a carriage return goes.
 */
export function showControls(text: string): string {
  return text.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, (char) =>
    char === '\t'
      ? ' '
      : char === '\r'
        ? ''
        : char === '\u001B'
          ? '\\e'
          : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  )
}

/** Keeps colour codes (SGR) and removes the other escape sequences (cursor movement, screen modes, titles). */
export function keepOnlyColors(text: string): string {
  return text.replace(ANY_ESCAPE, (match) => (/^\u001B\[[0-9;:]*m$/.test(match) ? match : ''))
}

/** Columns one character takes: 0 for combining marks and controls, 2 for wide (CJK, emoji), else 1. */
export function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0
  if ((code >= 0x300 && code <= 0x36f) || code === 0x200d || (code >= 0xfe00 && code <= 0xfe0f)) return 0
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  )
    return 2
  return 1
}

/** Columns the text takes on screen (colour codes count for nothing). */
export function visibleWidth(text: string): number {
  let width = 0
  for (const char of text.replace(SGR, '')) width += charWidth(char)
  return width
}

/** Splits one line (no newlines) into rows of at most `width` columns; colour codes stay with their text. */
export function wrapLine(line: string, width: number): string[] {
  const max = Math.max(1, width)
  const rows: string[] = []
  let row = ''
  let used = 0
  for (const token of line.match(TOKEN) ?? []) {
    if (token.startsWith('\u001B')) {
      row += token
      continue
    }
    const w = charWidth(token)
    if (used + w > max && used > 0) {
      rows.push(row)
      row = ''
      used = 0
    }
    row += token
    used += w
  }
  rows.push(row)
  return rows
}

/** Wraps text that may hold newlines; every row fits in `width` columns. */
export function wrapText(text: string, width: number): string[] {
  return text.split('\n').flatMap((line) => wrapLine(line, width))
}

/** Cuts a line to `width` columns, ending with `…` when something was cut; resets colours when it held any. */
export function truncate(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line
  const max = Math.max(0, width - 1)
  let out = ''
  let used = 0
  let colored = false
  for (const token of line.match(TOKEN) ?? []) {
    if (token.startsWith('\u001B')) {
      out += token
      colored = true
      continue
    }
    const w = charWidth(token)
    if (used + w > max) break
    out += token
    used += w
  }
  return `${out}${colored ? '\u001B[0m' : ''}${width > 0 ? '…' : ''}`
}

/**
 * What a line of terminal output shows once carriage returns are applied: `50%\r100%` shows `100%`. Output of
 * programs on a pseudo-terminal ends lines with \r\n; progress bars rewrite the line with \r. Colour codes of the
 * overwritten text are kept (they take no room), so a colour set before the \r still applies.
 */
export function applyCarriageReturns(line: string): string {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line
  const at = trimmed.lastIndexOf('\r')
  if (at === -1) return trimmed
  const colors = trimmed.slice(0, at).match(SGR) ?? []
  return colors.join('') + trimmed.slice(at + 1)
}

/**
 * Control characters a command's output may hold that would act on the terminal: C0 except backspace, tab, newline
 * and carriage return (those are rendered by `renderOutputLine`), DEL, C1, and an escape character that does not
 * start a colour code (after `stripAnsi` / `keepOnlyColors`, only a lone or cut-off one is left).
 */
const OUTPUT_CONTROLS = /[\u0000-\u0007\u000B\u000C\u000E-\u001A\u001C-\u001F\u007F-\u009F]|\u001B(?!\[[0-9;:]*m)/g
/** The start of an escape sequence the next chunk completes: `\e`, `\e[3`, `\e]0;tit`, `\e]0;title\e`. */
const CUT_ESCAPE = /\u001B(?:\[[0-?]*[ -/]*|\][^\u0007\u001B]*\u001B?|[P^_][^\u001B]*\u001B?|[()#])?$/y

/**
 * A chunk of command output made safe to print: escape sequences removed (or all but colours, with `keepColors`),
 * and control characters removed except \n, \t, \r and backspace, which `renderOutputLine` turns into plain text.
 */
export function cleanOutput(text: string, keepColors: boolean): string {
  return (keepColors ? keepOnlyColors(text) : stripAnsi(text)).replace(OUTPUT_CONTROLS, '')
}

/**
 * Splits off an escape sequence cut at the end of a chunk, to be put before the next chunk, so that `cleanOutput`
 * sees it whole: `['ok ', '\e[3']` for `ok \e[3`. Returns `[text, '']` when nothing is cut.
 */
export function splitCutEscape(text: string): [string, string] {
  for (
    let at = text.indexOf('\u001B', Math.max(0, text.length - 256));
    at !== -1;
    at = text.indexOf('\u001B', at + 1)
  ) {
    CUT_ESCAPE.lastIndex = at
    if (CUT_ESCAPE.test(text)) return [text.slice(0, at), text.slice(at)]
  }
  return [text, '']
}

/**
 * One line of cleaned command output (see `cleanOutput`) as it would look on a terminal, in plain characters only:
 * carriage returns applied (the text after the last one), a backspace removes the character before it (`_\bx`
 * overstriking shows `x`), tabs become spaces up to the next multiple of 8 columns.
 */
export function renderOutputLine(line: string): string {
  const tokens: string[] = []
  for (const token of applyCarriageReturns(line).match(TOKEN) ?? []) {
    if (token === '\r') continue
    if (token !== '\b') {
      tokens.push(token)
      continue
    }
    const at = tokens.findLastIndex((t) => !t.startsWith('\u001B'))
    if (at !== -1) tokens.splice(at, 1)
  }
  let out = ''
  let column = 0
  for (const token of tokens) {
    if (token === '\t') {
      const spaces = 8 - (column % 8)
      out += ' '.repeat(spaces)
      column += spaces
    } else {
      out += token
      if (!token.startsWith('\u001B')) column += charWidth(token)
    }
  }
  return out
}
