// The record of what went into the sandbox (path -> type, size, mtime, mode, sha256, link): the base of every diff.

export type EntryType = 'f' | 'd' | 'l'

export interface ManifestEntry {
  type: EntryType
  size: number
  /** Modification time in whole seconds (tar precision). */
  mtime: number
  /** Permission bits (& 0o7777). */
  mode: number
  sha256?: string
  link?: string
}

/** Relative path (forward slashes, no leading ./) -> entry. */
export type Manifest = Map<string, ManifestEntry>

type Row = [string, EntryType, number, number, number, string | null, string | null]

export interface SerializedManifest {
  version: 1
  entries: Row[]
}

export function serializeManifest(manifest: Manifest): SerializedManifest {
  const entries: Row[] = []
  for (const [path, e] of manifest)
    entries.push([path, e.type, e.size, e.mtime, e.mode, e.sha256 ?? null, e.link ?? null])
  return {version: 1, entries}
}

export function deserializeManifest(data: SerializedManifest): Manifest {
  const manifest: Manifest = new Map()
  for (const [path, type, size, mtime, mode, sha256, link] of data.entries) {
    manifest.set(path, {type, size, mtime, mode, ...(sha256 ? {sha256} : {}), ...(link !== null ? {link} : {})})
  }
  return manifest
}
