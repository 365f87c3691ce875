// Columns on a terminal: how wide text is (colour codes take none, emoji and CJK two, by string-width), wrapping by
// words (wrap-ansi) or by characters, and cutting a line to a width. Characters are grapheme clusters throughout.
import stringWidth from 'string-width'
import wrapAnsi from 'wrap-ansi'

/* eslint-disable no-control-regex -- colour codes are what this file steps over */
const SGR_AT_START = /^\u001B\[[0-9;:]*m/
const segmenter = new Intl.Segmenter()

/** The text's characters as people see them (a flag, an emoji with a skin tone, a letter with its accent: one each). */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment)
}

/** Columns one character (grapheme) takes: 0 for combining marks and controls, 2 for wide (CJK, emoji), else 1. */
export function charWidth(char: string): number {
  return stringWidth(char)
}

/** Columns the text takes on screen (colour codes count for nothing). */
export function visibleWidth(text: string): number {
  return stringWidth(text)
}

/** Colour codes and characters, in order. */
function tokens(line: string): string[] {
  const out: string[] = []
  let rest = line
  while (rest !== '') {
    const at = rest.indexOf('\u001B')
    if (at === -1) {
      out.push(...graphemes(rest))
      break
    }
    if (at > 0) out.push(...graphemes(rest.slice(0, at)))
    const code = SGR_AT_START.exec(rest.slice(at))?.[0] ?? '\u001B'
    out.push(code)
    rest = rest.slice(at + code.length)
  }
  return out
}

/**
 * Splits one line (no newlines) into rows of at most `width` columns, by characters (the prompt's text, where the
 * cursor must map back to an offset: the rows joined are the line). Colour codes stay with their text.
 */
export function wrapLine(line: string, width: number): string[] {
  const max = Math.max(1, width)
  const rows: string[] = []
  let row = ''
  let used = 0
  for (const token of tokens(line)) {
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

/** Wraps text that may hold newlines by words (a word longer than a row is cut); every row fits in `width`. */
export function wrapText(text: string, width: number): string[] {
  return wrapAnsi(text, Math.max(1, width), {hard: true, trim: false}).split('\n')
}

/** Cuts a line to `width` columns, ending with `…` when something was cut; resets colours when it held any. */
export function truncate(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line
  const max = Math.max(0, width - 1)
  let out = ''
  let used = 0
  let colored = false
  for (const token of tokens(line)) {
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
