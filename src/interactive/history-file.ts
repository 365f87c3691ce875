// The prompt history kept between sessions: one JSON string per line in the CLI's data directory (user-only access).
import fs from 'node:fs/promises'
import path from 'node:path'

export const HISTORY_FILE_NAME = 'chat-history.jsonl'
const MAX_ENTRIES = 500

/** The last entries, oldest first; a missing or damaged file is an empty history (lines that do not parse are skipped). */
export async function loadHistory(file: string): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '')
  const entries: string[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const entry = JSON.parse(line) as unknown
      if (typeof entry === 'string' && entry.trim() !== '') entries.push(entry)
    } catch {
      // a half-written line from a crash: skip it
    }
  }
  return entries.slice(-MAX_ENTRIES)
}

/** Appends one entry; now and then rewrites the file to keep only the last entries. Failures only lose history. */
export async function appendHistory(file: string, entry: string, all: readonly string[]): Promise<void> {
  try {
    await fs.mkdir(path.dirname(file), {recursive: true, mode: 0o700})
    if (all.length >= MAX_ENTRIES && all.length % 50 === 0) {
      const kept = all.slice(-MAX_ENTRIES)
      await fs.writeFile(file, kept.map((e) => `${JSON.stringify(e)}\n`).join(''), {mode: 0o600})
      return
    }
    await fs.appendFile(file, `${JSON.stringify(entry)}\n`, {mode: 0o600})
  } catch {
    // history is a convenience
  }
}
