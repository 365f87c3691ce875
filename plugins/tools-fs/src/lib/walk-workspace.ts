// One bounded listing of a directory tree in the sandbox (a single `find`), filtered by the ignore files.
import {workspaceRelative, type SandboxSession} from 'sandboxed-agent/plugin'

import {addNestedIgnoreRules, ALWAYS_SKIPPED_DIRS, IgnoreRules, loadRootIgnoreRules} from './ignore-rules.js'
import {EXEC_TIMEOUT_MS, MAX_WALK_ENTRIES} from './limits.js'
import {shellQuote} from './shell-quote.js'

export interface WalkEntry {
  /** Relative to /workspace, forward slashes. */
  path: string
  type: 'file' | 'directory' | 'symlink' | 'other'
  size: number
  mtimeMs: number
}

export interface WalkResult {
  entries: WalkEntry[]
  /** The walk stopped at MAX_WALK_ENTRIES. */
  truncated: boolean
  /** How many entries the ignore files hid. */
  ignoredCount: number
  rules: IgnoreRules
}

export interface WalkOptions {
  /** Absolute directory inside /workspace to walk. */
  start: string
  respectIgnoreFiles: boolean
  signal: AbortSignal
  maxEntries?: number
}

const TYPES: Record<string, WalkEntry['type']> = {f: 'file', d: 'directory', l: 'symlink'}

export async function walkWorkspace(session: SandboxSession, options: WalkOptions): Promise<WalkResult> {
  const max = options.maxEntries ?? MAX_WALK_ENTRIES
  const rules = options.respectIgnoreFiles ? await loadRootIgnoreRules(session) : new IgnoreRules()
  const prune = options.respectIgnoreFiles ? rules.prunableDirs() : {anywhere: [], anchored: []}
  const names = [...new Set([...ALWAYS_SKIPPED_DIRS, ...prune.anywhere])]
  const tests = [
    ...names.map((name) => `-name ${shellQuote(name)}`),
    ...prune.anchored.map((name) => `-path ${shellQuote(`./${name}`)}`),
  ].join(' -o ')
  const start = workspaceRelative(options.start)
  const from = start === '.' ? '.' : `./${start}`
  // %y type, %s size, %T@ mtime, %p path; NUL-terminated so any file name survives.
  const command =
    `find ${shellQuote(from)} -mindepth 1 \\( -type d \\( ${tests} \\) -prune \\) -o -printf '%y\\t%s\\t%T@\\t%p\\0'` +
    ` | head -z -n ${max + 1}`
  const result = await session.exec(command, {
    cwd: '/workspace',
    timeoutMs: EXEC_TIMEOUT_MS,
    signal: options.signal,
    maxOutputBytes: 64 * 1024 * 1024,
  }).result
  if (result.stdout.text === '' && (result.exitCode !== 0 || result.error || result.stderr.text.trim() !== '')) {
    throw new Error(
      `listing ${options.start} failed: ${result.error ?? (result.stderr.text.trim() || `exit ${result.exitCode}`)}`,
    )
  }
  const records = result.stdout.text.split('\0').filter((record) => record !== '')
  const truncated = records.length > max
  const all: WalkEntry[] = []
  for (const record of records.slice(0, max)) {
    const [type = '', size = '0', mtime = '0', ...rest] = record.split('\t')
    const relative = rest.join('\t').replace(/^\.\//, '')
    all.push({
      path: relative,
      type: TYPES[type] ?? 'other',
      size: Number(size),
      mtimeMs: Math.round(Number(mtime) * 1000),
    })
  }
  if (!options.respectIgnoreFiles) return {entries: all, truncated, ignoredCount: 0, rules}
  await addNestedIgnoreRules(
    session,
    rules,
    all.filter((entry) => entry.type === 'file').map((entry) => entry.path),
  )
  const entries = all.filter((entry) => !rules.ignores(entry.path, entry.type === 'directory'))
  return {entries, truncated, ignoredCount: all.length - entries.length, rules}
}
