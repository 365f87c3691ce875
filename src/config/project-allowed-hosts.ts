// ~/.qwen/sandboxAllowedHosts.json: hosts the user chose to "always allow" for a project, keyed by the folder's real
// path. It lives in the user's home, never in the project: a repository cannot add to its own allow list this way.
import fs from 'node:fs'
import path from 'node:path'

import {readHomeJsonObject, writeHomeJsonObject} from './home-json-file.js'
import {parseAllowEntry} from './network-setting.js'

export const ALLOWED_HOSTS_FILE = 'sandboxAllowedHosts.json'

export function allowedHostsPath(home: string): string {
  return path.join(path.resolve(home), '.qwen', ALLOWED_HOSTS_FILE)
}

/** The key of a project: its real path (a symlinked checkout and its target share their hosts). */
export function projectKey(projectRoot: string): string {
  try {
    return fs.realpathSync(projectRoot)
  } catch {
    return path.resolve(projectRoot)
  }
}

function readAll(home: string): {file: string; raw: Record<string, unknown>} {
  const file = allowedHostsPath(home)
  const raw = readHomeJsonObject(file, {
    unreadable: 'Check its permissions, or remove it',
    example: '"/path/to/project": ["registry.example.org"]',
  })
  return {file, raw}
}

/** The entries stored for the project; entries that do not parse as allow entries are left out. */
export function readProjectAllowedHosts(home: string, projectRoot: string): string[] {
  const entries = readAll(home).raw[projectKey(projectRoot)]
  if (!Array.isArray(entries)) return []
  return entries.filter((entry): entry is string => typeof entry === 'string' && parseAllowEntry(entry).ok)
}

/** Adds `entry` to the project's list, keeping everything else; written atomically with mode 0600. Returns the file. */
export function addProjectAllowedHost(home: string, projectRoot: string, entry: string): string {
  const {file, raw} = readAll(home)
  const key = projectKey(projectRoot)
  const current = Array.isArray(raw[key]) ? (raw[key] as unknown[]) : []
  const next = {...raw, [key]: current.includes(entry) ? current : [...current, entry]}
  writeHomeJsonObject(file, next)
  return file
}
