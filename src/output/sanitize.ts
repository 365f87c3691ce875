// The one sanitiser for text from the sandbox or the model (names, paths, results, output) before it reaches a terminal.
import {stripVTControlCharacters} from 'node:util'

/* eslint-disable no-control-regex -- terminal escape sequences are what this file matches */

/**
 * String sequences (OSC, DCS, SOS, PM, APC) ended by BEL or ST, in 7-bit and 8-bit form. Node's pattern only knows
 * OSC ended by BEL with a narrow payload alphabet: an OSC 52 clipboard write carries base64 (`+`), so these go first.
 */
const STRING_SEQUENCE =
  /(?:\u001B[\]PX^_]|[\u0090\u0098\u009D-\u009F])[^\u0007\u001B\u009C]*(?:\u0007|\u001B\\|\u009C)/g
/** CSI sequences by the standard's grammar: Node's pattern would also take the text after one up to a BEL. */
const CSI = /\u001B\[[0-?]*[ -/]*[@-~]/g
const SGR = /(\u001B\[[0-9;:]*m)/

/** Removes every escape sequence (colours, cursor movement, line erasing, titles, clipboard writes). */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text.replace(STRING_SEQUENCE, '').replace(CSI, ''))
}

/** Keeps colour codes (SGR) and removes the other escape sequences (cursor movement, screen modes, titles). */
export function keepOnlyColors(text: string): string {
  return text
    .split(SGR)
    .map((part, i) => (i % 2 === 1 ? part : stripAnsi(part)))
    .join('')
}

export interface ShowControlsOptions {
  /** The text is one field (a file name, a tool name, a one-line result): a newline is shown as `\n` too. */
  singleLine?: boolean
}

/**
 * Text from the sandbox or the model made safe to print: every control character, escape sequences included, is
 * shown as `\e`, `\n` or `\xNN` instead of acting on the terminal, so nothing can erase, rewrite or forge what is
 * shown, set the title or write the clipboard. A tab becomes a space; a carriage return goes; a newline stays unless
 * `singleLine` (then a name cannot forge lines of a list).
 */
export function showControls(text: string, options: ShowControlsOptions = {}): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F]/g, (char) => {
    if (char === '\n') return options.singleLine ? '\\n' : '\n'
    if (char === '\t') return ' '
    if (char === '\r') return options.singleLine ? '\\r' : ''
    if (char === '\u001B') return '\\e'
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}

/** A one-line field from the sandbox or the model (a path, a tool name, a reason), safe for any terminal. */
export function safeLine(text: string): string {
  return showControls(text, {singleLine: true})
}
