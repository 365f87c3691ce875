// What a session needs from inside the container, with two implementations: the runner (fast) and docker exec (fallback).
import type {ListingPage, SandboxEntry} from './changes/compute-changes.js'
import type {FetchedEntry} from './changes/fetch-file.js'
import type {SelfTestReport} from './lifecycle/isolation-check.js'
import type {DirEntry, ExecHandle, ExecOptions, SpawnedProcess} from './types.js'

export interface NetworkProbe {
  host: string
  port: number
  timeoutMs: number
}

export interface SandboxBackend {
  readonly kind: 'runner' | 'docker-exec'
  readonly isGone: boolean
  exec(command: string, options?: ExecOptions): ExecHandle
  /** A command with its stdin open for as long as it runs (see SandboxSession.spawn). Only the runner has it. */
  spawn?(command: string, options?: ExecOptions): SpawnedProcess
  /** Every entry under root (not following links), all at once. */
  list(root: string): Promise<SandboxEntry[]>
  /**
   * Every entry under root (not following links) in pages, so the host never holds the whole listing; each page also
   * names what the agent made unreadable (a folder whose contents are then unknown).
   */
  listing(root: string): AsyncIterable<ListingPage>
  /** sha256 of files (relative to root); null where a file cannot be read. */
  hash(root: string, paths: string[]): Promise<Record<string, string | null>>
  readFile(path: string): Promise<Buffer>
  /**
   * One workspace entry as the diff needs it (links never followed; a regular file's contents up to maxBytes). Only
   * the runner has it; without it the session asks Docker (getArchive, ~35 ms per file).
   */
  readEntry?(path: string, maxBytes: number): Promise<FetchedEntry>
  /** Unpacks a tar stream into a directory of the container, as the container's user. Only the runner has it. */
  upload?(archive: AsyncIterable<Buffer>, dir: string): Promise<void>
  writeFile(path: string, data: Buffer, mode?: number): Promise<void>
  listDir(path: string): Promise<DirEntry[]>
  selftest(probes: NetworkProbe[]): Promise<SelfTestReport>
  /** Kills background commands and what foreground commands left running. */
  killBackground(): Promise<void>
  /**
   * Stops every command and empties the workspace (for reuse). With keepWorkspace the files stay (the host then
   * updates them with remove + upload); a runner too old to know the option empties it anyway.
   */
  reset(options?: {keepWorkspace?: boolean}): Promise<void>
  /** Removes entries (relative to root, recursively). Only the runner has it. */
  remove?(root: string, paths: string[]): Promise<void>
  /** Copies listed paths (relative, parents first) from one directory to another inside the container. */
  copyTree(from: string, to: string, paths: string[]): Promise<void>
  /** Lets go of the container (which keeps running). */
  detach(): void
}
