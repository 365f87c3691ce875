// Writes a change set to the host project, assuming the container is hostile: nothing lands outside the project.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import type {ApplyReport, ChangeSet, FileChange, RefusedEntry} from '../types.js'
import {sha256} from './compute-changes.js'
import type {ArchiveSource} from './fetch-file.js'
import {streamEntryTo} from './fetch-file.js'

export interface ApplyInputs {
  /** Real path of the host project (the only tree apply writes to). */
  hostRoot: string
  /** Where the workspace lives in the container (for fetching contents). */
  containerRoot: string
  changeSet: ChangeSet
  /** Largest total number of bytes written. */
  maxBytes: number
  /** Contents already fetched by changes() (verified again by hash). */
  contents?: Map<string, Buffer>
  source: ArchiveSource
  /** Apply even where the host copy changed since the session started. */
  force?: boolean
  /** The second confirmation: apply sensitive paths and group/world-writable bits too. */
  allowSensitive?: boolean
}

class Refusal extends Error {}

const refuse = (reason: string): never => {
  throw new Refusal(reason)
}

function order(change: FileChange): number {
  if (change.kind === 'deleted') return 0
  if (change.entryType === 'directory') return 1
  return 2
}

function depth(rel: string): number {
  return rel.split('/').length
}

/**
 * Applies a change set judged by the apply policy (judgeChanges): its verdicts decide what is refused, held back for
 * the second confirmation and which bits are dropped; this function adds what only the host can tell (host
 * symlinks on the way, host edits, the size budget) and writes each entry without following anything.
 */
export async function applyChanges(inputs: ApplyInputs): Promise<ApplyReport> {
  const applied: string[] = []
  const refused: RefusedEntry[] = []
  const heldBack: RefusedEntry[] = []
  const writableDropped: string[] = []
  let budget = inputs.maxBytes
  const sorted = [...inputs.changeSet.changes].sort((a, b) => {
    const byOrder = order(a) - order(b)
    if (byOrder !== 0) return byOrder
    // deletions deepest first, creations shallowest first
    return a.kind === 'deleted' ? depth(b.path) - depth(a.path) : depth(a.path) - depth(b.path)
  })
  for (const change of sorted) {
    const verdict = change.verdict
    if (!verdict) {
      refused.push({path: change.path, reason: 'not judged by the apply policy'})
      continue
    }
    if (!verdict.refused && verdict.sensitive && !inputs.allowSensitive) {
      heldBack.push({path: change.path, reason: `sensitive: ${verdict.sensitive}`})
      continue
    }
    try {
      if (verdict.refused) refuse(verdict.refused)
      if (change.hostChanged && !inputs.force) refuse('changed on the host since the session started')
      const target = path.join(inputs.hostRoot, change.path)
      if (change.kind === 'deleted') {
        checkParents(inputs.hostRoot, change.path, false)
        removeEntry(target, change)
      } else if (change.entryType === 'directory') {
        checkParents(inputs.hostRoot, change.path, true)
        makeDirectory(target, change, allowedBits(inputs, change, writableDropped))
      } else if (change.entryType === 'symlink') {
        checkParents(inputs.hostRoot, change.path, true)
        clearForReplacement(target)
        placeAtomically(target, (temp) => fs.symlinkSync(change.linkTarget!, temp))
      } else if (change.entryType === 'file') {
        if ((change.size ?? 0) > budget) refuse(`larger than the apply limit (${change.size} bytes, ${budget} left)`)
        checkParents(inputs.hostRoot, change.path, true)
        clearForReplacement(target)
        budget -= await writeFile(inputs, change, target, budget, allowedBits(inputs, change, writableDropped))
      } else {
        refuse('device files, fifos and sockets are not applied')
      }
      applied.push(change.path)
    } catch (error) {
      if (error instanceof Refusal) refused.push({path: change.path, reason: error.message})
      else refused.push({path: change.path, reason: `failed: ${(error as Error).message}`})
    }
  }
  return {
    applied,
    refused,
    ...(heldBack.length > 0 ? {heldBack} : {}),
    ...(writableDropped.length > 0 ? {writableDropped} : {}),
  }
}

/** Permission bits that may reach the host: no setuid/setgid/sticky, and no new group/world write without a yes. */
function allowedBits(inputs: ApplyInputs, change: FileChange, dropped: string[]): number {
  if (!change.verdict?.writable || inputs.allowSensitive) return 0o777
  dropped.push(change.path)
  return 0o755
}

/** Every parent of `rel` must be a real directory inside the project (created when `create`). */
function checkParents(root: string, rel: string, create: boolean): void {
  const segments = rel.split('/').slice(0, -1)
  let current = root
  for (const segment of segments) {
    current = path.join(current, segment)
    let stat: fs.Stats
    try {
      stat = fs.lstatSync(current)
    } catch {
      if (!create) return
      fs.mkdirSync(current, {mode: 0o755})
      continue
    }
    if (stat.isSymbolicLink()) refuse(`parent ${path.relative(root, current)} is a symlink on the host`)
    if (!stat.isDirectory()) refuse(`parent ${path.relative(root, current)} is not a directory on the host`)
  }
}

function removeEntry(target: string, change: FileChange): void {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(target)
  } catch {
    return
  }
  if (stat.isDirectory()) {
    try {
      fs.rmdirSync(target)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY') refuse('directory is not empty on the host')
      throw error
    }
    return
  }
  if (change.entryType === 'directory') refuse('expected a directory on the host')
  fs.unlinkSync(target)
}

function makeDirectory(target: string, change: FileChange, allowed: number): void {
  const mode = (change.mode ?? 0o755) & allowed
  let stat: fs.Stats | undefined
  try {
    stat = fs.lstatSync(target)
  } catch {
    stat = undefined
  }
  if (stat?.isDirectory()) {
    fs.chmodSync(target, mode)
    return
  }
  if (stat) {
    // A file (or link) replaced by a directory in the sandbox: the link itself goes, never what it points to.
    if (change.kind !== 'modified') refuse('a file exists on the host where the sandbox has a directory')
    fs.unlinkSync(target)
  }
  fs.mkdirSync(target, {mode})
  fs.chmodSync(target, mode)
}

/** A directory where a file or link must go: removed only when empty. */
function clearForReplacement(target: string): void {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(target)
  } catch {
    return
  }
  if (!stat.isDirectory()) return
  try {
    fs.rmdirSync(target)
  } catch {
    refuse('a non-empty directory exists on the host where the sandbox has a file')
  }
}

/** A fresh short name beside the target: a name of 230-255 bytes must not make the temporary one too long. */
function tempPath(target: string): string {
  return path.join(path.dirname(target), `.sa-${crypto.randomBytes(6).toString('hex')}.tmp`)
}

/** Creates the entry under a fresh temporary name in the same directory and renames it into place. */
function placeAtomically(target: string, create: (temp: string) => void): void {
  const temp = tempPath(target)
  try {
    create(temp)
    fs.renameSync(temp, target)
  } catch (error) {
    fs.rmSync(temp, {force: true})
    throw error
  }
}

async function writeFile(
  inputs: ApplyInputs,
  change: FileChange,
  target: string,
  budget: number,
  allowed: number,
): Promise<number> {
  const temp = tempPath(target)
  // O_EXCL: never opens something that already exists (a planted link included).
  const handle = await fs.promises.open(temp, 'wx', 0o600)
  let written: number
  try {
    const cached = inputs.contents?.get(change.path)
    let mode = change.mode ?? 0o644
    if (cached && (!change.sha256 || sha256(cached) === change.sha256)) {
      if (cached.length > budget) refuse(`larger than the apply limit (${cached.length} bytes, ${budget} left)`)
      await handle.writeFile(cached)
      written = cached.length
    } else {
      const sink = handle.createWriteStream({autoClose: false})
      const entry = await streamEntryTo(inputs.source, path.posix.join(inputs.containerRoot, change.path), budget, sink)
      if (entry.type === 'link') refuse('hard link')
      if (entry.type === 'symlink') refuse('became a symlink in the sandbox')
      if (entry.type !== 'file') refuse(`not a regular file in the sandbox (${entry.type})`)
      if (entry.tooLarge) refuse(`larger than the apply limit (${entry.size} bytes, ${budget} left)`)
      if (change.sha256 && entry.sha256 !== change.sha256) refuse('changed in the sandbox since the diff was made')
      written = entry.size
      mode = entry.mode || mode
    }
    // Permission bits only: setuid, setgid and sticky never reach the host.
    await handle.chmod(mode & allowed)
    await handle.close()
    fs.renameSync(temp, target)
    return written
  } catch (error) {
    await handle.close().catch(() => undefined)
    fs.rmSync(temp, {force: true})
    throw error
  }
}
