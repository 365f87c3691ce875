// Packs the project into a tar stream (no temp file), owned by the agent user, recording the manifest.
import crypto from 'node:crypto'
import {once} from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import type {Readable} from 'node:stream'
import tarStream from 'tar-stream'

import type {IgnorePredicate} from './ignore-rules.js'
import type {Manifest, ManifestEntry} from './manifest.js'

type EntryHeader = Parameters<tarStream.Pack['entry']>[0]

export const AGENT_UID = 1000
export const AGENT_GID = 1000

/** Files up to this size are read in one call; larger ones are streamed in pieces. */
const WHOLE_FILE_BYTES = 8 * 1024 * 1024
const PIECE_BYTES = 1024 * 1024
const NO_FOLLOW = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW
/** Entries packed between two yields to the event loop (when the consumer never asks us to wait). */
const YIELD_EVERY = 64
/** Bytes handed to tar-stream but not yet read by the consumer before packing waits (tar-stream queues unboundedly). */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024

export interface PackedWorkspace {
  stream: Readable
  /** Complete once the stream has ended. */
  manifest: Promise<Manifest>
}

export interface PackOptions {
  /**
   * Whether an entry goes into the archive (default: all). Every entry is in the manifest either way; for files the
   * entry's sha256 is known when this is asked. Used by reuse to send only what differs.
   */
  include?: (rel: string, entry: ManifestEntry) => boolean
}

/**
 * Streams the project as tar. Symlinks stay links (never followed), sockets and device files are skipped, modes are
 * kept exactly (no umask), every entry is owned by uid/gid 1000, and file contents are hashed on the way through.
 *
 * Files are read synchronously, one call each (tar-fs took four thread-pool round trips per file and left the host
 * idle most of the time); the event loop gets a turn every few entries and whenever the consumer is full. A read
 * error (an unreadable file) destroys the stream and rejects the manifest with the fs error (path and syscall set).
 */
export function packWorkspace(root: string, isIgnored: IgnorePredicate, options: PackOptions = {}): PackedWorkspace {
  const pack = tarStream.pack()
  const manifest: Manifest = new Map()
  const include = options.include ?? (() => true)
  let inFlight = 0
  let wake: (() => void) | undefined
  /** Hands an entry to tar-stream; the callback runs once the consumer has taken it. */
  const add = (header: EntryHeader, data?: Buffer): void => {
    const bytes = 512 + (data?.length ?? 0)
    inFlight += bytes
    const taken = (): void => {
      inFlight -= bytes
      if (inFlight <= IN_FLIGHT_BYTES / 2) {
        wake?.()
        wake = undefined
      }
    }
    if (data) pack.entry(header, data, taken)
    else pack.entry(header, taken)
  }
  const done = (async () => {
    const stack = ['']
    let sinceYield = 0
    while (stack.length > 0) {
      const dirRel = stack.pop()!
      const names = fs.readdirSync(dirRel ? path.join(root, dirRel) : root).sort()
      for (const name of names) {
        const rel = dirRel ? `${dirRel}/${name}` : name
        const absolute = path.join(root, rel)
        const stat = fs.lstatSync(absolute)
        if (isIgnored(rel, () => stat.isDirectory())) continue
        const type = stat.isDirectory() ? 'd' : stat.isSymbolicLink() ? 'l' : stat.isFile() ? 'f' : undefined
        if (!type) continue
        const entry: ManifestEntry = {type, size: 0, mtime: Math.floor(stat.mtimeMs / 1000), mode: stat.mode & 0o7777}
        const header: EntryHeader = {
          name: rel,
          mode: entry.mode,
          mtime: stat.mtime,
          uid: AGENT_UID,
          gid: AGENT_GID,
          uname: 'agent',
          gname: 'agent',
        }
        manifest.set(rel, entry)
        if (type === 'd') {
          stack.push(rel)
          if (include(rel, entry)) add({...header, type: 'directory'})
        } else if (type === 'l') {
          entry.link = fs.readlinkSync(absolute)
          if (include(rel, entry)) add({...header, type: 'symlink', linkname: entry.link})
        } else if (stat.size <= WHOLE_FILE_BYTES) {
          // O_NOFOLLOW: a file swapped for a link after the lstat is an error, never followed.
          const data = readWhole(absolute)
          entry.size = data.length
          entry.sha256 = crypto.createHash('sha256').update(data).digest('hex')
          if (include(rel, entry)) add({...header, size: data.length}, data)
        } else {
          await packLargeFile(pack, absolute, header, entry, stat.size, include(rel, entry))
          sinceYield = 0
          continue
        }
        if (pack.destroying) throw new Error('the archive was closed before the workspace was packed')
        if (inFlight > IN_FLIGHT_BYTES) {
          await new Promise<void>((resolve) => (wake = resolve))
          sinceYield = 0
        } else if (++sinceYield >= YIELD_EVERY) {
          await new Promise((resolve) => setImmediate(resolve))
          sinceYield = 0
        }
      }
    }
    pack.finalize()
    return manifest
  })()
  done.catch((error: unknown) => pack.destroy(error as Error))
  // A consumer that goes away must not leave packing waiting for it.
  pack.on('close', () => {
    wake?.()
    wake = undefined
  })
  return {stream: pack as unknown as Readable, manifest: done}
}

function readWhole(absolute: string): Buffer {
  const fd = fs.openSync(absolute, NO_FOLLOW)
  try {
    return fs.readFileSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** A large file in pieces: exactly the size it had when listed (hashed as sent), with backpressure. */
async function packLargeFile(
  pack: tarStream.Pack,
  absolute: string,
  header: EntryHeader,
  entry: ManifestEntry,
  size: number,
  included: boolean,
): Promise<void> {
  const fd = fs.openSync(absolute, NO_FOLLOW)
  try {
    const hash = crypto.createHash('sha256')
    let packed: Promise<void> = Promise.resolve()
    let sink: ReturnType<tarStream.Pack['entry']> | undefined
    if (included) {
      packed = new Promise<void>((resolve, reject) => {
        sink = pack.entry({...header, size}, (error) => (error ? reject(error) : resolve()))
      })
      packed.catch(() => undefined)
    }
    let offset = 0
    while (offset < size) {
      const piece = Buffer.allocUnsafe(Math.min(PIECE_BYTES, size - offset))
      const n = fs.readSync(fd, piece, 0, piece.length, offset)
      if (n === 0) {
        const error = new Error(`${absolute} shrank while it was being copied`) as NodeJS.ErrnoException
        Object.assign(error, {path: absolute, syscall: 'read', code: 'EIO'})
        throw error
      }
      const chunk = piece.subarray(0, n)
      hash.update(chunk)
      offset += n
      if (sink && !sink.write(chunk)) {
        const ac = new AbortController()
        await Promise.race([once(sink, 'drain', {signal: ac.signal}), once(pack, 'close', {signal: ac.signal})])
          .catch(() => undefined)
          .finally(() => ac.abort())
        if (pack.destroying) throw new Error('the archive was closed before the workspace was packed')
      }
    }
    sink?.end(undefined)
    await packed
    entry.size = size
    entry.sha256 = hash.digest('hex')
  } finally {
    fs.closeSync(fd)
  }
}

/** The manifest of the project without reading file contents (--mount mode copies inside the container). */
export async function scanWorkspace(root: string, isIgnored: IgnorePredicate): Promise<Manifest> {
  const manifest: Manifest = new Map()
  const stack = ['']
  while (stack.length > 0) {
    const rel = stack.pop()!
    const names = await fs.promises.readdir(rel ? path.join(root, rel) : root)
    for (const name of names.sort()) {
      const childRel = rel ? `${rel}/${name}` : name
      const absolute = path.join(root, childRel)
      const stat = await fs.promises.lstat(absolute)
      if (isIgnored(childRel, () => stat.isDirectory())) continue
      const type = stat.isDirectory() ? 'd' : stat.isSymbolicLink() ? 'l' : stat.isFile() ? 'f' : undefined
      if (!type) continue
      const entry: ManifestEntry = {
        type,
        size: type === 'f' ? stat.size : 0,
        mtime: Math.floor(stat.mtimeMs / 1000),
        mode: stat.mode & 0o7777,
      }
      if (type === 'l') entry.link = await fs.promises.readlink(absolute)
      manifest.set(childRel, entry)
      if (type === 'd') stack.push(childRel)
    }
  }
  return manifest
}
