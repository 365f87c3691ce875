// Packs the project into a tar stream for putArchive (no temp file), owned by the agent user, recording the manifest.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type {Readable} from 'node:stream'
import tarFs from 'tar-fs'

import type {IgnorePredicate} from './ignore-rules.js'
import {normalizeEntryPath, type Manifest, type ManifestEntry} from './manifest.js'

export const AGENT_UID = 1000
export const AGENT_GID = 1000

export interface PackedWorkspace {
  stream: Readable
  /** Complete once the stream has ended. */
  manifest: Promise<Manifest>
}

function relativeOf(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/')
}

/**
 * Streams the project as tar. Symlinks stay links (never followed), sockets and device files are skipped, modes are
 * kept exactly (no umask), every entry is owned by uid/gid 1000, and file contents are hashed on the way through.
 */
export function packWorkspace(root: string, isIgnored: IgnorePredicate): PackedWorkspace {
  const manifest: Manifest = new Map()
  let resolveManifest!: (manifest: Manifest) => void
  let rejectManifest!: (error: unknown) => void
  const done = new Promise<Manifest>((resolve, reject) => {
    resolveManifest = resolve
    rejectManifest = reject
  })
  const options: tarFs.PackOptions & {umask: number} = {
    dereference: false,
    strict: false,
    // Keep modes exactly as on the host (tar-fs would apply the process umask).
    umask: 0,
    ignore: (absolute: string) => {
      const rel = relativeOf(root, absolute)
      return rel !== '' && isIgnored(rel, () => fs.lstatSync(absolute).isDirectory())
    },
    map: (header) => {
      const rel = normalizeEntryPath(header.name)
      const type = header.type === 'directory' ? 'd' : header.type === 'symlink' ? 'l' : 'f'
      const entry: ManifestEntry = {
        type,
        size: type === 'f' ? (header.size ?? 0) : 0,
        mtime: Math.floor((header.mtime?.getTime() ?? 0) / 1000),
        mode: (header.mode ?? 0) & 0o7777,
      }
      if (type === 'l') entry.link = fs.readlinkSync(path.join(root, rel))
      if (rel !== '') manifest.set(rel, entry)
      header.uid = AGENT_UID
      header.gid = AGENT_GID
      Object.assign(header, {uname: 'agent', gname: 'agent'})
      return header
    },
    mapStream: (fileStream, header) => {
      const rel = normalizeEntryPath(header.name)
      const hash = crypto.createHash('sha256')
      fileStream.on('data', (chunk) => {
        hash.update(chunk)
      })
      fileStream.on('end', () => {
        const entry = manifest.get(rel)
        if (entry) entry.sha256 = hash.digest('hex')
      })
      return fileStream
    },
  }
  const stream = tarFs.pack(root, options) as unknown as Readable
  stream.on('end', () => resolveManifest(manifest))
  stream.on('error', rejectManifest)
  return {stream, manifest: done}
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
