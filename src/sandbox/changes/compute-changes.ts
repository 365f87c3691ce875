// What changed in /workspace against the manifest, in work proportional to what changed (one listing, few fetches).
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

import {safeLine} from '../../output/sanitize.js'
import {isBinaryContent} from '../../plugin-kit/binary-content.js'
import type {ChangeSet, FileChange, UnreadableEntry} from '../types.js'
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

/** A page of the runner's listing, and the paths it could not look into or read. */
export interface ListingPage {
  entries: SandboxEntry[]
  unreadable: string[]
}

export interface ChangeInputs {
  sessionId: string
  hostRoot: string
  manifest: Manifest
  /** The sandbox's workspace, page by page: consumed as it comes, never held whole. */
  listing: AsyncIterable<ListingPage> | Iterable<ListingPage>
  /** The most changed entries a change set carries (sandbox.maxApplyFiles); past it nothing is fetched or applied. */
  maxEntries: number
  hashInSandbox(paths: string[]): Promise<Record<string, string | null>>
  fetch(path: string, maxBytes: number): Promise<FetchedEntry>
}

export interface ComputedChanges {
  changeSet: ChangeSet
  /** The listing's entries for the changed paths, by path. */
  current: Map<string, SandboxEntry>
  /** Contents fetched for added/modified files, up to CONTENTS_BUDGET in all (apply fetches the rest again). */
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
/** Fetched contents kept for apply, in total: beyond it apply streams the files again (memory stays bounded). */
const CONTENTS_BUDGET = 64 * 1024 * 1024

/**
 * What the agent cannot read, from the mode alone: the runner works as the owner of everything in the workspace (the
 * agent's uid) without any capability that overrides modes, so a folder lacking the owner's read or search bit, or a
 * file lacking its read bit, cannot be looked into. Also covers runners too old to say so themselves.
 */
export function unreadableByMode(entry: SandboxEntry): boolean {
  if (entry.type === 'd') return (entry.mode & 0o500) !== 0o500
  if (entry.type === 'f') return (entry.mode & 0o400) === 0
  return false
}

/** True when `rel` is below one of `roots` (not equal to it). */
function isBelow(rel: string, roots: ReadonlyMap<string, unknown>): boolean {
  if (roots.size === 0) return false
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) if (roots.has(rel.slice(0, i))) return true
  return false
}

/** A fetch that failed because the sandbox would not let the entry be read (it became unreadable meanwhile). */
function isPermissionError(error: unknown): boolean {
  const code = (error as {code?: unknown} | undefined)?.code
  return code === 'EACCES' || code === 'EPERM'
}

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
  const {manifest, hostRoot, maxEntries} = inputs
  const changes = new Map<string, FileChange>()
  const current = new Map<string, SandboxEntry>()
  /** Paths of the manifest the listing showed (the rest were deleted, unless below an unreadable folder). */
  const seen = new Set<string>()
  /** What cannot be read in the sandbox, with its listing entry when there was one. */
  const unreadable = new Map<string, SandboxEntry | undefined>()
  const needHash: string[] = []
  let count = 0
  const record = (change: FileChange, now?: SandboxEntry) => {
    count += 1
    if (changes.size >= maxEntries) return
    changes.set(change.path, change)
    if (now) current.set(change.path, now)
  }

  for await (const page of inputs.listing) {
    for (const now of page.entries) {
      const rel = now.path
      const before = manifest.get(rel)
      if (before) seen.add(rel)
      if (unreadableByMode(now)) {
        unreadable.set(rel, now)
        continue
      }
      const entryType = TYPE_NAMES[now.type]
      const base = {path: rel, entryType, binary: false, mode: now.mode, ...(before ? {previousMode: before.mode} : {})}
      if (!before) {
        record({...base, kind: 'added', ...(now.link !== undefined ? {linkTarget: now.link} : {})}, now)
      } else if (before.type !== now.type) {
        record({...base, kind: 'modified', ...(now.link !== undefined ? {linkTarget: now.link} : {})}, now)
      } else if (now.type === 'l') {
        if (now.link !== before.link) record({...base, kind: 'modified', linkTarget: now.link ?? ''}, now)
      } else if (now.type === 'd') {
        if (now.mode !== before.mode) record({...base, kind: 'modified'}, now)
      } else if (now.type === 'f') {
        if (now.size !== before.size || now.mode !== before.mode) record({...base, kind: 'modified'}, now)
        else if (Math.floor(now.mtimeMs / 1000) !== before.mtime) {
          needHash.push(rel)
          current.set(rel, now)
        }
      }
    }
    for (const rel of page.unreadable) if (!unreadable.has(rel)) unreadable.set(rel, undefined)
  }
  // An entry the runner named unreadable after listing it (or in a folder it could list but not search) is unknown.
  for (const rel of unreadable.keys()) {
    if (changes.delete(rel)) count -= 1
    current.delete(rel)
  }
  if (unreadable.size > 0) {
    for (const rel of [...changes.keys()]) {
      if (!isBelow(rel, unreadable)) continue
      changes.delete(rel)
      current.delete(rel)
      count -= 1
    }
  }
  for (const [rel, before] of manifest) {
    // Below an unreadable folder the listing saw nothing: its host copies are unknown, never deleted.
    if (seen.has(rel) || isBelow(rel, unreadable)) continue
    record({path: rel, kind: 'deleted', entryType: TYPE_NAMES[before.type], binary: false, mode: before.mode})
  }

  // Same size, new mtime: compare contents (hashed where they live). Not worth it past the limit.
  const hashed = needHash.filter((rel) => !unreadable.has(rel) && !isBelow(rel, unreadable))
  if (hashed.length > 0 && count <= maxEntries) {
    const hashes = await inputs.hashInSandbox(hashed)
    for (const rel of hashed) {
      const before = manifest.get(rel)!
      const original = before.sha256 ?? (await sha256OfHostFile(path.join(hostRoot, rel)))
      if (hashes[rel] === null || hashes[rel] !== original) {
        const now = current.get(rel)!
        current.delete(rel)
        record(
          {path: rel, kind: 'modified', entryType: 'file', binary: false, mode: now.mode, previousMode: before.mode},
          now,
        )
      } else current.delete(rel)
    }
  } else for (const rel of hashed) current.delete(rel)

  const byPath = (a: {path: string}, b: {path: string}) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  const unreadableList = (): UnreadableEntry[] =>
    [...unreadable]
      .map(([rel, entry]) => ({
        path: rel,
        ...(entry ? {entryType: TYPE_NAMES[entry.type]} : {}),
        onHost: manifest.has(rel),
      }))
      .sort(byPath)
  const contents = new Map<string, Buffer>()
  const list = [...changes.values()].sort(byPath)
  if (count > maxEntries) {
    // Nothing will be applied: the entries are listed as they are, nothing is fetched.
    return {
      changeSet: {
        sessionId: inputs.sessionId,
        changes: list,
        overLimit: {count, limit: maxEntries},
        ...(unreadable.size > 0 ? {unreadable: unreadableList()} : {}),
      },
      contents,
      current,
    }
  }
  let kept = 0
  const becameUnreadable = new Set<string>()
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
    try {
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
      if (kept + fetched.data.length <= CONTENTS_BUDGET) {
        contents.set(change.path, fetched.data)
        kept += fetched.data.length
      }
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
    } catch (error) {
      // Made unreadable after the listing: one such file must not fail the whole change set.
      if (!isPermissionError(error)) throw error
      becameUnreadable.add(change.path)
      unreadable.set(change.path, now)
      contents.delete(change.path)
    }
  })
  const readable = becameUnreadable.size > 0 ? list.filter((change) => !becameUnreadable.has(change.path)) : list
  for (const rel of becameUnreadable) current.delete(rel)
  return {
    changeSet: {
      sessionId: inputs.sessionId,
      changes: readable,
      ...(unreadable.size > 0 ? {unreadable: unreadableList()} : {}),
    },
    contents,
    current,
  }
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
