// The small JSON object files the CLI keeps in ~/.qwen (trusted folders, always-allowed hosts): read with one clear line
// when broken, written whole and atomically with mode 0600, so a crash or a planted symlink never leaves half a file.
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import {UserInputError} from '../errors.js'
import {parseJsonText} from './json-text.js'

/** The file's object, or `{}` when it does not exist; `example` shows an entry in the hint when it does not parse. */
export function readHomeJsonObject(
  file: string,
  hints: {unreadable: string; example: string},
): Record<string, unknown> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {}
    throw new UserInputError(`Cannot read ${file}: ${code ?? (error as Error).message}`, {hint: hints.unreadable})
  }
  const parsed = parseJsonText(text)
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    const where = parsed.ok
      ? 'expected a JSON object'
      : `line ${parsed.line}, column ${parsed.column}: ${parsed.message}`
    throw new UserInputError(`Invalid ${file}: ${where}`, {
      hint: `Fix it (entries look like ${hints.example}), or remove it`,
    })
  }
  return parsed.value as Record<string, unknown>
}

/** Replaces the file with `value` through a fresh temporary file and a rename (a symlink at its place is replaced). */
export function writeHomeJsonObject(file: string, value: Record<string, unknown>): void {
  const dir = path.dirname(file)
  fs.mkdirSync(dir, {recursive: true, mode: 0o700})
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    fs.writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, {mode: 0o600, flag: 'wx'})
    fs.renameSync(temp, file)
  } catch (error) {
    fs.rmSync(temp, {force: true})
    throw new UserInputError(
      `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        hint: 'Check the permissions of ~/.qwen',
      },
    )
  }
}
