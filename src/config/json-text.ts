// Parses settings.json text as Qwen Code does (comments allowed) and reports a syntax error by line and column.

export type JsonTextResult = {ok: true; value: unknown} | {ok: false; line: number; column: number; message: string}

/** Replaces // and /* *\/ comments with spaces outside strings, so positions in errors still point at the source. */
export function stripJsonComments(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    const next = text[i + 1]
    if (inString) {
      out += char
      if (char === '\\' && next !== undefined) {
        out += next
        i++
      } else if (char === '"') inString = false
      continue
    }
    if (char === '"') {
      inString = true
      out += char
    } else if (char === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' '
        i++
      }
      if (i < text.length) out += '\n'
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2)
      const stop = end === -1 ? text.length : end + 2
      for (; i < stop; i++) out += text[i] === '\n' ? '\n' : ' '
      i--
    } else out += char
  }
  return out
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): {line: number; column: number} {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)))
  const lines = before.split('\n')
  return {line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1}
}

/** JSON.parse with comments stripped; an empty (or comment-only) file is an empty object. */
export function parseJsonText(text: string): JsonTextResult {
  const stripped = stripJsonComments(text.replace(/^\uFEFF/, ''))
  if (stripped.trim() === '') return {ok: true, value: {}}
  try {
    return {ok: true, value: JSON.parse(stripped) as unknown}
  } catch (error) {
    const raw = (error as Error).message
    const position = /position (\d+)/.exec(raw)
    const lineColumn = /line (\d+) column (\d+)/.exec(raw)
    let where: {line: number; column: number}
    if (lineColumn) where = {line: Number(lineColumn[1]), column: Number(lineColumn[2])}
    else if (position) where = lineAndColumn(stripped, Number(position[1]))
    else where = lineAndColumn(stripped, stripped.trimEnd().length)
    const message = raw
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ \(line \d+ column \d+\)/, '')
    return {ok: false, ...where, message}
  }
}
