// Streams a root filesystem directory plus the definition's rootfs/ overlay as one tar, for `docker import` (no temp tarball).
import fs from 'node:fs'
import path from 'node:path'
import {Readable} from 'node:stream'
import tarFs from 'tar-fs'

/** A tar header as tar-fs really passes it (its typings lack the link and owner-name fields). */
export type TarHeader = tarFs.Headers & {linkname?: string; uname?: string; gname?: string}
type Pack = tarFs.Pack

/** tar-fs pack options as the library implements them (its typings lack umask, fs and the stream types). */
export interface PackDirectoryOptions {
  fs?: unknown
  umask?: number
  strict?: boolean
  finalize?: boolean
  pack?: Pack
  ignore?: (name: string) => boolean
  map?: (header: TarHeader) => TarHeader
  mapStream?: (stream: fs.ReadStream, header: TarHeader) => NodeJS.ReadableStream
  finish?: (pack: Pack) => void
}

/** tar-fs pack with honest types. */
export function packDirectory(dir: string, options: PackDirectoryOptions): NodeJS.ReadableStream {
  return tarFs.pack(dir, options as unknown as tarFs.PackOptions) as unknown as NodeJS.ReadableStream
}

import {PLACEHOLDER_FILE} from './definition.js'

/** Directories whose contents the container runtime provides; packed empty. */
const RUNTIME_DIRS = ['proc', 'sys', 'dev']

/**
 * A tar of `baseDir` (owners, modes incl. setuid and sticky bits, symlinks and hard links kept as they are) followed by
 * `overlayDir` owned by root, as the Dockerfile's `COPY rootfs/ /` would add it. Files the overlay provides are left
 * out of the base so each path appears once.
 */
export function packRootfs(baseDir: string, overlayDir?: string): NodeJS.ReadableStream {
  const overlayFiles = overlayDir && fs.existsSync(overlayDir) ? listFiles(overlayDir) : new Set<string>()
  const stats = new Map<string, fs.Stats>()
  const firstLink = new Map<string, string>()

  // tar-fs gives `map` the header but not the stat; remember each lstat to find hard links by device and inode.
  const recordingFs = {
    ...fs,
    lstat(file: string, callback: (error: NodeJS.ErrnoException | null, stat: fs.Stats) => void): void {
      fs.lstat(file, (error, stat) => {
        if (!error) stats.set(file, stat)
        callback(error, stat)
      })
    },
  }

  const withOverlay = overlayDir !== undefined && fs.existsSync(overlayDir)
  return packDirectory(baseDir, {
    fs: recordingFs,
    umask: 0,
    strict: false,
    finalize: !withOverlay,
    ignore(name: string): boolean {
      const rel = path.relative(baseDir, name)
      if (RUNTIME_DIRS.some((dir) => rel.startsWith(`${dir}/`))) return true
      return overlayFiles.has(rel)
    },
    map(header: TarHeader): TarHeader {
      const file = path.join(baseDir, header.name)
      const stat = stats.get(file)
      stats.delete(file)
      if (stat && header.type === 'file' && stat.nlink > 1) {
        const key = `${stat.dev}:${stat.ino}`
        const first = firstLink.get(key)
        if (first === undefined) firstLink.set(key, header.name)
        else return {...header, type: 'link', linkname: first, size: 0}
      }
      return header
    },
    mapStream(stream: fs.ReadStream, header: TarHeader): NodeJS.ReadableStream {
      if (header.type !== 'link') return stream
      stream.destroy()
      return Readable.from([])
    },
    finish(pack: Pack): void {
      if (!withOverlay) return
      appendOverlay(pack, baseDir, overlayDir).then(
        () => pack.finalize(),
        (error: unknown) => pack.destroy(error as Error),
      )
    },
  })
}

/** Ownership and modes as `COPY` gives them: root:root, directories 0755, files 0644 or 0755 when executable. */
export function rootOwned(header: TarHeader): Partial<TarHeader> {
  const mode =
    header.type === 'directory' ? 0o755 : header.type === 'symlink' ? 0o777 : (header.mode ?? 0) & 0o111 ? 0o755 : 0o644
  return {uid: 0, gid: 0, uname: 'root', gname: 'root', mode}
}

/**
 * Adds the overlay's entries after the base, as `COPY rootfs/ /` would: directories the base already has are not
 * repeated (docker import refuses duplicate paths); new directories, files and symlinks are owned by root.
 */
async function appendOverlay(pack: Pack, baseDir: string, overlayDir: string): Promise<void> {
  const add = (header: TarHeader, body?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve())
      const tarHeader = header as unknown as Parameters<Pack['entry']>[0]
      if (body) pack.entry(tarHeader, body, done)
      else pack.entry(tarHeader, done)
    })
  const walk = async (rel: string): Promise<void> => {
    const entries = fs
      .readdirSync(path.join(overlayDir, rel), {withFileTypes: true})
      .sort((a, b) => a.name.localeCompare(b.name))
    for (const entry of entries) {
      if (entry.name === PLACEHOLDER_FILE) continue
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`
      const full = path.join(overlayDir, name)
      const stat = fs.lstatSync(full)
      const base: TarHeader = {name, mode: stat.mode & 0o7777, mtime: stat.mtime, size: 0, type: 'file', uid: 0, gid: 0}
      if (entry.isDirectory()) {
        const existing = fs.lstatSync(path.join(baseDir, name), {throwIfNoEntry: false})
        if (!existing?.isDirectory()) {
          const header: TarHeader = {...base, type: 'directory'}
          await add({...header, ...rootOwned(header)})
        }
        await walk(name)
      } else if (entry.isSymbolicLink()) {
        const header: TarHeader = {...base, type: 'symlink', linkname: fs.readlinkSync(full)}
        await add({...header, ...rootOwned(header)})
      } else if (entry.isFile()) {
        const body = fs.readFileSync(full)
        const header: TarHeader = {...base, size: body.length}
        await add({...header, ...rootOwned(header)}, body)
      }
    }
  }
  await walk('')
}

/** Relative paths of the non-directory entries under dir (placeholders excluded). */
function listFiles(dir: string): Set<string> {
  const out = new Set<string>()
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), {withFileTypes: true})) {
      const child = rel === '' ? entry.name : path.join(rel, entry.name)
      if (entry.isDirectory()) walk(child)
      else if (entry.name !== PLACEHOLDER_FILE) out.add(child)
    }
  }
  walk('')
  return out
}
