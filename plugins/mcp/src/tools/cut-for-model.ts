// Cuts a long tool result for the model as the shell tool does: the head and the tail kept, the cut said in the middle.

/** The shell tool's limits: more than this reaches the model cut. */
export const MAX_RESULT_CHARS = 25_000
export const MAX_RESULT_LINES = 1_000

export function cutForModel(text: string): string {
  const lines = text.split('\n')
  if (text.length <= MAX_RESULT_CHARS && lines.length <= MAX_RESULT_LINES) return text
  const halfLines = Math.floor(MAX_RESULT_LINES / 2)
  const halfChars = Math.floor(MAX_RESULT_CHARS / 2)
  const head = lines.slice(0, halfLines).join('\n').slice(0, halfChars)
  const tailText = lines.slice(-halfLines).join('\n')
  const tail = tailText.slice(Math.max(0, tailText.length - halfChars))
  const omittedChars = text.length - head.length - tail.length
  const omittedLines = Math.max(0, lines.length - head.split('\n').length - tail.split('\n').length)
  const number = (n: number) => n.toLocaleString('en-US')
  return `${head}\n[... ${number(omittedLines)} lines (${number(omittedChars)} characters) of the result cut here ...]\n${tail}`
}
