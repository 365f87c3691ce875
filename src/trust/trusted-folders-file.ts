// ~/.qwen/trustedFolders.json in Qwen Code's format ({"<absolute path>": "TRUST_FOLDER" | "TRUST_PARENT" | "DO_NOT_TRUST"}).
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import {parseJsonText} from '../config/json-text.js'
import {UserInputError} from '../errors.js'
import type {TrustRule} from './folder-trust.js'
import {isTrustLevel, type TrustLevel} from './trust-level.js'

export const TRUSTED_FOLDERS_FILE = 'trustedFolders.json'

export function trustedFoldersPath(home: string): string {
  return path.join(path.resolve(home), '.qwen', TRUSTED_FOLDERS_FILE)
}

export interface TrustedFolders {
  file: string
  rules: TrustRule[]
  /** Every entry as read (unknown levels kept, so writing back never loses what Qwen Code wrote). */
  raw: Record<string, unknown>
}

/** The rules, or none when the file does not exist. A broken file is a user error: guessing would trust too much. */
export function readTrustedFolders(home: string): TrustedFolders {
  const file = trustedFoldersPath(home)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {file, rules: [], raw: {}}
    throw new UserInputError(`Cannot read ${file}: ${code ?? (error as Error).message}`, {
      hint: 'Check its permissions, or remove it (every folder is then untrusted)',
    })
  }
  const parsed = parseJsonText(text)
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    const where = parsed.ok
      ? 'expected a JSON object'
      : `line ${parsed.line}, column ${parsed.column}: ${parsed.message}`
    throw new UserInputError(`Invalid ${file}: ${where}`, {
      hint: 'Fix it (entries look like "/path/to/folder": "TRUST_FOLDER"), or remove it',
    })
  }
  const raw = parsed.value as Record<string, unknown>
  const rules: TrustRule[] = []
  for (const [folder, level] of Object.entries(raw)) if (isTrustLevel(level)) rules.push({path: folder, level})
  return {file, rules, raw}
}

/**
 * Sets the rule for `folder` (absolute), keeping every other entry, and writes the file atomically with mode 0600.
 * A symlink planted at the file's place is replaced, never followed.
 */
export function writeTrustRule(home: string, folder: string, level: TrustLevel): TrustedFolders {
  const current = readTrustedFolders(home)
  const raw = {...current.raw, [path.resolve(folder)]: level}
  const dir = path.dirname(current.file)
  fs.mkdirSync(dir, {recursive: true, mode: 0o700})
  const temp = path.join(dir, `.${TRUSTED_FOLDERS_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    fs.writeFileSync(temp, `${JSON.stringify(raw, null, 2)}\n`, {mode: 0o600, flag: 'wx'})
    fs.renameSync(temp, current.file)
  } catch (error) {
    fs.rmSync(temp, {force: true})
    throw new UserInputError(
      `Cannot write ${current.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {hint: 'Check the permissions of ~/.qwen'},
    )
  }
  return readTrustedFolders(home)
}
