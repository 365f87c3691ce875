// ~/.qwen/sandboxAllowedHosts.json: hosts the user chose to "always allow" for a project, keyed by the folder's real
// path. It lives in the user's home, never in the project: a repository cannot add to its own allow list this way.
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import {UserInputError} from '../errors.js'
import {parseJsonText} from './json-text.js'
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
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {file, raw: {}}
    throw new UserInputError(`Cannot read ${file}: ${code ?? (error as Error).message}`, {
      hint: 'Check its permissions, or remove it',
    })
  }
  const parsed = parseJsonText(text)
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    const where = parsed.ok
      ? 'expected a JSON object'
      : `line ${parsed.line}, column ${parsed.column}: ${parsed.message}`
    throw new UserInputError(`Invalid ${file}: ${where}`, {
      hint: 'Fix it (entries look like "/path/to/project": ["registry.example.org"]), or remove it',
    })
  }
  return {file, raw: parsed.value as Record<string, unknown>}
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
  const dir = path.dirname(file)
  fs.mkdirSync(dir, {recursive: true, mode: 0o700})
  const temp = path.join(dir, `.${ALLOWED_HOSTS_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    fs.writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, {mode: 0o600, flag: 'wx'})
    fs.renameSync(temp, file)
  } catch (error) {
    fs.rmSync(temp, {force: true})
    throw new UserInputError(
      `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {hint: 'Check the permissions of ~/.qwen'},
    )
  }
  return file
}
