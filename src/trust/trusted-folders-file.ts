// ~/.qwen/trustedFolders.json in Qwen Code's format ({"<absolute path>": "TRUST_FOLDER" | "TRUST_PARENT" | "DO_NOT_TRUST"}).
import path from 'node:path'

import {readHomeJsonObject, writeHomeJsonObject} from '../config/home-json-file.js'
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
  const raw = readHomeJsonObject(file, {
    unreadable: 'Check its permissions, or remove it (every folder is then untrusted)',
    example: '"/path/to/folder": "TRUST_FOLDER"',
  })
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
  writeHomeJsonObject(current.file, raw)
  return readTrustedFolders(home)
}
