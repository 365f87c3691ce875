// How a typed line is parsed into a slash command from the table, "did you mean" for typos, and Tab completion.
import {SLASH_COMMANDS, type SlashCommandInfo} from './commands/index.js'

export type SlashParse =
  | {kind: 'command'; name: string; args: string}
  | {kind: 'unknown'; typed: string; suggestion: string | undefined}
  /** Not a command: a message for the model (also `//text`, which sends `/text`). */
  | {kind: 'message'; text: string}

/** `/name args` → the command (by name or alias); anything else is a message. */
export function parseSlash(line: string, commands: readonly SlashCommandInfo[] = SLASH_COMMANDS): SlashParse {
  const text = line.trim()
  if (!text.startsWith('/')) return {kind: 'message', text: line}
  if (text.startsWith('//')) return {kind: 'message', text: text.slice(1)}
  const match = /^\/(\S*)\s*([\s\S]*)$/.exec(text)
  const typed = (match?.[1] ?? '').toLowerCase()
  const args = (match?.[2] ?? '').trim()
  // A path such as /usr/bin/env at the start of a message is not a command.
  if (typed.includes('/')) return {kind: 'message', text: line}
  const found = commands.find((command) => command.name === typed || command.aliases?.includes(typed))
  if (found) return {kind: 'command', name: found.name, args}
  return {kind: 'unknown', typed, suggestion: nearestCommand(typed, commands)}
}

/** The command closest to what was typed (prefix first, then edit distance), if any is close enough. */
export function nearestCommand(
  typed: string,
  commands: readonly SlashCommandInfo[] = SLASH_COMMANDS,
): string | undefined {
  if (typed === '') return undefined
  const names = commands.flatMap((command) => [command.name, ...(command.aliases ?? [])].map((n) => [n, command.name]))
  const prefixed = commands.filter((command) => command.name.startsWith(typed))
  if (prefixed.length === 1) return prefixed[0]?.name
  let best: {name: string; distance: number} | undefined
  for (const [alias, name] of names) {
    const distance = editDistance(typed, alias as string)
    if (!best || distance < best.distance) best = {name: name as string, distance}
  }
  // Close enough: at most a third of the word wrong (at least one edit allowed).
  if (best && best.distance <= Math.max(1, Math.floor(typed.length / 3))) return best.name
  return undefined
}

/** Levenshtein distance with adjacent transpositions counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({length: rows}, (_, i) =>
    Array.from({length: cols}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const row = d[i] as number[]
      const up = d[i - 1] as number[]
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1)
      }
    }
  }
  return (d[rows - 1] as number[])[cols - 1] as number
}

/** Commands whose name starts with what is typed so far (for Tab completion). */
export function completeCommand(partial: string, commands: readonly SlashCommandInfo[] = SLASH_COMMANDS): string[] {
  const typed = partial.replace(/^\//, '').toLowerCase()
  return commands.filter((command) => command.name.startsWith(typed)).map((command) => command.name)
}
