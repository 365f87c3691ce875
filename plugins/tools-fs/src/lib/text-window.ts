// Cuts text for the model: a window of lines, long lines shortened, and the total bounded, always saying what was cut.
import {DEFAULT_LINE_LIMIT, MAX_LINE_CHARS, MAX_RESULT_CHARS} from './limits.js'

export interface TextWindow {
  text: string
  /** First line shown, 1-based. */
  firstLine: number
  lastLine: number
  totalLines: number
  /** Lines outside the window exist, or some lines or the total were shortened. */
  truncated: boolean
}

export function textWindow(content: string, offset = 0, limit = DEFAULT_LINE_LIMIT): TextWindow {
  const lines = content.split('\n')
  if (lines.length > 1 && lines.at(-1) === '') lines.pop()
  const totalLines = lines.length
  const start = Math.min(offset, totalLines)
  const end = Math.min(start + limit, totalLines)
  let truncated = start > 0 || end < totalLines
  let size = 0
  const kept: string[] = []
  for (const line of lines.slice(start, end)) {
    let shown = line
    if (shown.length > MAX_LINE_CHARS) {
      shown = `${shown.slice(0, MAX_LINE_CHARS)}... [line truncated]`
      truncated = true
    }
    if (size + shown.length + 1 > MAX_RESULT_CHARS) {
      truncated = true
      break
    }
    size += shown.length + 1
    kept.push(shown)
  }
  return {text: kept.join('\n'), firstLine: start + 1, lastLine: start + kept.length, totalLines, truncated}
}
