// Cuts command output for the model: head and tail kept, the cut marked with what was left out and where it is.

/** The reference's limits: more than this goes to the model cut. */
export const MODEL_OUTPUT_MAX_CHARS = 25_000
export const MODEL_OUTPUT_MAX_LINES = 1_000

export interface OutputBudget {
  chars: number
  lines: number
}

export interface TextForCut {
  head: string
  tail: string
  complete: boolean
  totalChars: number
  newlines: number
}

export function lineCount(text: TextForCut): number {
  if (text.totalChars === 0) return 0
  return text.newlines + (text.tail.endsWith('\n') ? 0 : 1)
}

/** True when the text fits the budget as it is. */
export function fits(text: TextForCut, budget: OutputBudget): boolean {
  return text.totalChars <= budget.chars && lineCount(text) <= budget.lines
}

/** Shares one budget between stdout and stderr: a stream that needs less than half leaves the rest to the other. */
export function splitBudget(a: TextForCut, b: TextForCut, total: OutputBudget): [OutputBudget, OutputBudget] {
  const share = (other: number, all: number) => (other <= all / 2 ? all - other : Math.floor(all / 2))
  return [
    {chars: share(b.totalChars, total.chars), lines: share(lineCount(b), total.lines)},
    {chars: share(a.totalChars, total.chars), lines: share(lineCount(a), total.lines)},
  ]
}

function firstLines(text: string, lines: number): string {
  let index = -1
  for (let n = 0; n < lines; n++) {
    index = text.indexOf('\n', index + 1)
    if (index === -1) return text
  }
  return text.slice(0, index + 1)
}

function lastLines(text: string, lines: number): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text
  let index = body.length
  for (let n = 0; n < lines; n++) {
    index = body.lastIndexOf('\n', index - 1)
    if (index === -1) return text
  }
  return text.slice(index + 1)
}

const count = (text: string) => text.split('\n').length - 1
const number = (n: number) => n.toLocaleString('en-US')

export interface CutResult {
  text: string
  cut: boolean
  omittedChars: number
  omittedLines: number
}

/** The text as the model gets it; `where` names the file holding everything (said in the marker). */
export function cutForModel(text: TextForCut, budget: OutputBudget, where: string): CutResult {
  if (fits(text, budget) && text.complete) return {text: text.head, cut: false, omittedChars: 0, omittedLines: 0}
  const half = {chars: Math.max(1, Math.floor(budget.chars / 2)), lines: Math.max(1, Math.floor(budget.lines / 2))}
  const head = firstLines(text.head, half.lines).slice(0, half.chars)
  const tailLines = lastLines(text.tail, half.lines)
  const tail = tailLines.slice(Math.max(0, tailLines.length - half.chars))
  const omittedChars = text.totalChars - head.length - tail.length
  const omittedLines = Math.max(0, text.newlines - count(head) - count(tail))
  const marker =
    `${head.endsWith('\n') ? '' : '\n'}[... ${number(omittedLines)} lines (${number(omittedChars)} characters) cut here; ` +
    `the full output is in ${where} ...]\n`
  return {text: head + marker + tail, cut: true, omittedChars, omittedLines}
}
