// What changed in /workspace against the manifest, in work proportional to what changed (one listing, few fetches).
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

import {safeLine} from '../../output/sanitize.js'
import {isBinaryContent} from '../../plugin-kit/binary-content.js'
import type {ChangeSet, FileChange} from '../types.js'
import type {Manifest, ManifestEntry} from '../workspace/manifest.js'
import type {FetchedEntry} from './fetch-file.js'
import {unifiedDiff} from './unified-diff.js'

/** One entry of the runner's listing of /workspace. */
export interface SandboxEntry {
  path: string
  type: 'f' | 'd' | 'l' | 'o'
  size: number
  mtimeMs: number
  mode: number
  link?: string
}

export interface ChangeInputs {
  sessionId: string
  hostRoot: string
  manifest: Manifest
  listing: SandboxEntry[]
  hashInSandbox(paths: string[]): Promise<Record<string, string | null>>
  fetch(path: string, maxBytes: number): Promise<FetchedEntry>
}

export interface ComputedChanges {
  changeSet: ChangeSet
  /** The listing the changes were computed from, by path. */
  current: Map<string, SandboxEntry>
  /** Contents fetched for added/modified files (kept so apply need not fetch them again). */
  contents: Map<string, Buffer>
}

/** Files larger than this are described by size and hash only (not fetched for a diff). */
export const FETCH_LIMIT = 8 * 1024 * 1024
/** Files larger than this are not even hashed (a 10 GB sparse file costs nothing to list, much to read). */
export const HASH_LIMIT = 256 * 1024 * 1024
/** A side larger than this gets no text diff. */
const DIFF_INPUT_LIMIT = 1024 * 1024
/** Longest diff text kept per file. */
const DIFF_OUTPUT_LIMIT = 256 * 1024
const FETCH_CONCURRENCY = 8

const TYPE_NAMES = {f: 'file', d: 'directory', l: 'symlink', o: 'other'} as const

export function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex')
}

async function sha256OfHostFile(file: string): Promise<string | undefined> {
  try {
    return sha256(await fs.readFile(file))
  } catch {
    return undefined
  }
}

/** True when the host copy no longer matches what was copied in. */
async function hostDiffers(hostRoot: string, rel: string, before: ManifestEntry | undefined): Promise<boolean> {
  const file = path.join(hostRoot, rel)
  let stat
  try {
    stat = await fs.lstat(file)
  } catch {
    return before !== undefined
  }
  if (!before) return true
  const type = stat.isDirectory() ? 'd' : stat.isSymbolicLink() ? 'l' : stat.isFile() ? 'f' : 'o'
  if (type !== before.type) return true
  if (type === 'l') return (await fs.readlink(file)) !== before.link
  if (type !== 'f') return false
  if (stat.size !== before.size) return true
  if (Math.floor(stat.mtimeMs / 1000) === before.mtime) return false
  return before.sha256 !== undefined && (await sha256OfHostFile(file)) !== before.sha256
}

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({length: Math.min(limit, items.length)}, async () => {
    while (next < items.length) await work(items[next++]!)
  })
  await Promise.all(workers)
}

function truncateDiff(diff: string): {diff?: string; diffTruncated?: boolean} {
  if (diff === '') return {}
  if (diff.length <= DIFF_OUTPUT_LIMIT) return {diff}
  return {diff: `${diff.slice(0, DIFF_OUTPUT_LIMIT)}\n[... diff truncated ...]\n`, diffTruncated: true}
}

export async function computeChanges(inputs: ChangeInputs): Promise<ComputedChanges> {
  const {manifest, hostRoot} = inputs
  const current = new Map(inputs.listing.map((entry) => [entry.path, entry]))
  const changes = new Map<string, FileChange>()
  const needHash: string[] = []

  for (const [rel, now] of current) {
    const before = manifest.get(rel)
    const entryType = TYPE_NAMES[now.type]
    const base = {path: rel, entryType, binary: false, mode: now.mode, ...(before ? {previousMode: before.mode} : {})}
    if (!before) {
      changes.set(rel, {...base, kind: 'added', ...(now.link !== undefined ? {linkTarget: now.link} : {})})
    } else if (before.type !== now.type) {
      changes.set(rel, {...base, kind: 'modified', ...(now.link !== undefined ? {linkTarget: now.link} : {})})
    } else if (now.type === 'l') {
      if (now.link !== before.link) changes.set(rel, {...base, kind: 'modified', linkTarget: now.link ?? ''})
    } else if (now.type === 'd') {
      if (now.mode !== before.mode) changes.set(rel, {...base, kind: 'modified'})
    } else if (now.type === 'f') {
      if (now.size !== before.size || now.mode !== before.mode) changes.set(rel, {...base, kind: 'modified'})
      else if (Math.floor(now.mtimeMs / 1000) !== before.mtime) needHash.push(rel)
    }
  }
  for (const [rel, before] of manifest) {
    if (!current.has(rel)) {
      changes.set(rel, {
        path: rel,
        kind: 'deleted',
        entryType: TYPE_NAMES[before.type],
        binary: false,
        mode: before.mode,
      })
    }
  }

  // Same size, new mtime: compare contents (hashed where they live).
  if (needHash.length > 0) {
    const hashes = await inputs.hashInSandbox(needHash)
    for (const rel of needHash) {
      const before = manifest.get(rel)!
      const original = before.sha256 ?? (await sha256OfHostFile(path.join(hostRoot, rel)))
      if (hashes[rel] === null || hashes[rel] !== original) {
        changes.set(rel, {
          path: rel,
          kind: 'modified',
          entryType: 'file',
          binary: false,
          mode: current.get(rel)!.mode,
          previousMode: before.mode,
        })
      }
    }
  }

  const contents = new Map<string, Buffer>()
  const list = [...changes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  await mapLimit(list, FETCH_CONCURRENCY, async (change) => {
    const before = manifest.get(change.path)
    change.hostChanged = await hostDiffers(hostRoot, change.path, before)
    if (!change.hostChanged) delete change.hostChanged
    const oldText = await readOriginal(hostRoot, change.path, before)
    if (change.kind === 'deleted') {
      if (before?.type === 'f') {
        change.size = before.size
        if (before.sha256) change.sha256 = before.sha256
        change.binary = oldText === undefined
        if (oldText !== undefined)
          Object.assign(change, truncateDiff(unifiedDiff(oldText, '', `a/${safeLine(change.path)}`, '/dev/null')))
      }
      return
    }
    const now = current.get(change.path)!
    if (now.type !== 'f') return
    change.size = now.size
    if (now.size > FETCH_LIMIT) {
      change.binary = true
      if (now.size > HASH_LIMIT) return
      const hashes = await inputs.hashInSandbox([change.path])
      if (hashes[change.path]) change.sha256 = hashes[change.path]!
      return
    }
    const fetched = await inputs.fetch(change.path, FETCH_LIMIT)
    if (fetched.type !== 'file' || !fetched.data) {
      change.binary = true
      return
    }
    contents.set(change.path, fetched.data)
    change.sha256 = sha256(fetched.data)
    change.size = fetched.data.length
    change.binary = isBinaryContent(fetched.data)
    if (change.binary || fetched.data.length > DIFF_INPUT_LIMIT) return
    const wasFile = before?.type === 'f'
    if (wasFile && oldText === undefined) return
    const diff = unifiedDiff(
      oldText ?? '',
      fetched.data.toString('utf8'),
      wasFile ? `a/${safeLine(change.path)}` : '/dev/null',
      `b/${safeLine(change.path)}`,
    )
    Object.assign(change, truncateDiff(diff))
  })
  return {changeSet: {sessionId: inputs.sessionId, changes: list}, contents, current}
}

/** The host's text of a file that was copied in, or undefined (binary, too large, gone, not a file). */
async function readOriginal(
  hostRoot: string,
  rel: string,
  before: ManifestEntry | undefined,
): Promise<string | undefined> {
  if (before?.type !== 'f' || before.size > DIFF_INPUT_LIMIT) return undefined
  try {
    const data = await fs.readFile(path.join(hostRoot, rel), {flag: fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW})
    return isBinaryContent(data) ? undefined : data.toString('utf8')
  } catch {
    return undefined
  }
}
