// Changes one key of a settings.json file in place (comments and layout kept), written atomically (a new file 0600).
import fs from 'node:fs/promises'
import path from 'node:path'

import {applyEdits, modify} from 'jsonc-parser'

import {parseJsonText} from '../config/json-text.js'
import {UserInputError} from '../errors.js'

/** The file's settings as JSON (an absent file is `{}`); a broken file is a one-line error naming it. */
export async function readSettingsFile(file: string): Promise<Record<string, unknown>> {
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return ''
    throw error
  })
  const parsed = parseJsonText(text)
  if (!parsed.ok) throw new UserInputError(`${file}:${parsed.line}:${parsed.column}: ${parsed.message}`)
  return (parsed.value ?? {}) as Record<string, unknown>
}

/**
 * Sets `keyPath` to `value` (undefined removes it) in `file`, creating the file and its folder when needed. Nothing
 * else in the file changes: comments, order and formatting stay.
 */
export async function editSettingsFile(file: string, keyPath: string[], value: unknown): Promise<void> {
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return ''
    throw error
  })
  const parsed = parseJsonText(text)
  if (!parsed.ok) throw new UserInputError(`${file}:${parsed.line}:${parsed.column}: ${parsed.message}`)
  const base = text.trim() === '' ? '{}\n' : text
  const edits = modify(base, keyPath, value, {formattingOptions: {insertSpaces: true, tabSize: 2, eol: '\n'}})
  const next = applyEdits(base, edits)
  await fs.mkdir(path.dirname(file), {recursive: true})
  const mode = (await fs.stat(file).catch(() => undefined))?.mode ?? 0o600
  const temporary = `${file}.${process.pid}.tmp`
  await fs.writeFile(temporary, next.endsWith('\n') ? next : `${next}\n`, {mode: mode & 0o777})
  await fs.rename(temporary, file)
}
