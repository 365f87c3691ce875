// Reads one entry out of the container with getArchive (works on stopped containers and remote engines alike).
import crypto from 'node:crypto'
import {Transform, type Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import tarStream from 'tar-stream'

export interface ArchiveSource {
  getArchive(options: {path: string}): Promise<NodeJS.ReadableStream>
}

export interface FetchedEntry extends EntryHeader {
  data?: Buffer
  /** The entry is larger than the cap: data was not read. */
  tooLarge?: boolean
}

/** What every entry read here starts from: its tar header in the form the callers use. */
interface EntryHeader {
  /** Tar entry type as Docker wrote it: 'file', 'symlink', 'directory', 'link' (hard link), 'fifo', ... */
  type: string
  size: number
  mode: number
  linkTarget?: string
}

type Settle<T> = (error: Error | undefined, entry?: T) => void

/**
 * Opens the archive of `containerPath` and hands its first entry to `read`, which settles the result; the transfer
 * is torn down as soon as it settles, so a large entry nobody wants is never fetched whole.
 */
async function readFirstEntry<T>(
  source: ArchiveSource,
  containerPath: string,
  read: (header: EntryHeader, body: Readable, settle: Settle<T>) => void,
): Promise<T> {
  const archive = (await source.getArchive({path: containerPath})) as Readable
  const extract = tarStream.extract()
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const settle: Settle<T> = (error, entry) => {
      if (settled) return
      settled = true
      archive.unpipe(extract)
      archive.destroy()
      extract.destroy()
      if (error) reject(error)
      else resolve(entry!)
    }
    extract.on('entry', (header, body) => {
      const base: EntryHeader = {
        type: header.type ?? 'file',
        size: header.size ?? 0,
        mode: (header.mode ?? 0) & 0o7777,
      }
      if (header.linkname) base.linkTarget = header.linkname
      // tar-stream's entries are streamx streams; they behave as Node readables for what is done with them here.
      read(base, body as unknown as Readable, settle)
    })
    extract.on('finish', () => settle(new Error(`empty archive for ${containerPath}`)))
    extract.on('error', (error: Error) => settle(error))
    archive.on('error', (error: Error) => settle(error))
    archive.pipe(extract)
  })
}

/** The first entry of the archive of `containerPath`; file contents only up to maxBytes (the transfer stops there). */
export function fetchEntry(source: ArchiveSource, containerPath: string, maxBytes: number): Promise<FetchedEntry> {
  return readFirstEntry<FetchedEntry>(source, containerPath, (base, body, settle) => {
    if (base.type !== 'file') {
      body.resume()
      settle(undefined, base)
      return
    }
    if (base.size > maxBytes) {
      settle(undefined, {...base, tooLarge: true})
      return
    }
    const chunks: Buffer[] = []
    let received = 0
    body.on('data', (data: unknown) => {
      const chunk = data as Buffer
      received += chunk.length
      if (received > maxBytes) settle(undefined, {...base, tooLarge: true})
      else chunks.push(chunk)
    })
    body.on('end', () => settle(undefined, {...base, data: Buffer.concat(chunks)}))
    body.on('error', (error: Error) => settle(error))
  })
}

export interface StreamedEntry extends EntryHeader {
  sha256?: string
  tooLarge?: boolean
}

/**
 * Streams a regular file out of the container into `sink` (with backpressure), hashing it; anything that is not a
 * regular file, or a file over maxBytes, is reported and nothing is written.
 */
export function streamEntryTo(
  source: ArchiveSource,
  containerPath: string,
  maxBytes: number,
  sink: NodeJS.WritableStream,
): Promise<StreamedEntry> {
  return readFirstEntry<StreamedEntry>(source, containerPath, (base, body, settle) => {
    if (base.type !== 'file') return settle(undefined, base)
    if (base.size > maxBytes) return settle(undefined, {...base, tooLarge: true})
    const hash = crypto.createHash('sha256')
    let received = 0
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length
        if (received > maxBytes) return callback(new Error('too large'))
        hash.update(chunk)
        callback(null, chunk)
      },
    })
    pipeline(body, meter, sink).then(
      () => settle(undefined, {...base, size: received, sha256: hash.digest('hex')}),
      (error: Error) => (received > maxBytes ? settle(undefined, {...base, tooLarge: true}) : settle(error)),
    )
  })
}
