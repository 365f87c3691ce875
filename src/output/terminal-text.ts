// Terminal text for both renderers: making command output safe to print (the sanitiser itself is in sanitize.ts;
// widths and wrapping are in text-width.ts).
/* eslint-disable no-control-regex -- terminal escape sequences are what this file matches */
import {keepOnlyColors, stripAnsi} from './sanitize.js'
import {charWidth} from './text-width.js'

const SGR = /\u001B\[[0-9;:]*m/g
const TOKEN = /\u001B\[[0-9;:]*m|[\s\S]/gu

// The sanitiser lives in one place; these are re-exported for the renderers that import them from here.
export {keepOnlyColors, showControls, stripAnsi} from './sanitize.js'

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
