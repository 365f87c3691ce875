// The fast backend: every operation is a frame to the long-lived runner over the container's attached stream.
import type {NetworkProbe, SandboxBackend} from '../backend.js'
import type {ListingPage, SandboxEntry} from '../changes/compute-changes.js'
import type {FetchedEntry} from '../changes/fetch-file.js'
import type {SelfTestReport} from '../lifecycle/isolation-check.js'
import type {DirEntry, ExecHandle, ExecOptions, SpawnedProcess} from '../types.js'
import {FILE_CALLS_VERSION, LIST_PAGES_VERSION} from './protocol.js'
import type {RunnerClient} from './runner-client.js'

type Row = [string, SandboxEntry['type'], number, number, number, string?]

interface PageReply {
  token: number
  entries: Row[]
  unreadable: string[]
  done: boolean
}

/** Entries per listPage reply: ~1 MB of JSON, a few ms of the runner's time. */
const PAGE_ENTRIES = 10_000

function fromRow([path, type, size, mtimeMs, mode, link]: Row): SandboxEntry {
  return {path, type, size, mtimeMs, mode, ...(link !== undefined ? {link} : {})}
}

export class RunnerBackend implements SandboxBackend {
  readonly kind = 'runner'

  readonly readEntry?: (path: string, maxBytes: number) => Promise<FetchedEntry>
  readonly upload?: (archive: AsyncIterable<Buffer>, dir: string) => Promise<void>
  readonly remove?: (root: string, paths: string[]) => Promise<void>
  readonly spawn?: (command: string, options?: ExecOptions) => SpawnedProcess

  constructor(readonly client: RunnerClient) {
    // A runner from an older image does not know these: the engine and session then use Docker's archive API.
    if (client.version >= FILE_CALLS_VERSION) {
      this.readEntry = (path, maxBytes) => this.fetchEntry(path, maxBytes)
      this.upload = (archive, dir) => this.unpack(archive, dir)
      this.remove = (root, paths) => this.removePaths(root, paths)
      this.spawn = (command, options) => this.client.spawn(command, options)
    }
  }

  get isGone(): boolean {
    return this.client.isGone
  }

  exec(command: string, options?: ExecOptions): ExecHandle {
    return this.client.exec(command, options)
  }

  async list(root: string): Promise<SandboxEntry[]> {
    const entries: SandboxEntry[] = []
    for await (const page of this.listing(root)) entries.push(...page.entries)
    return entries
  }

  async *listing(root: string): AsyncIterable<ListingPage> {
    if (this.client.version < LIST_PAGES_VERSION) {
      // An older runner answers in one reply and does not say what it could not read (the host infers it from modes).
      const {value} = await this.client.call<{entries: Row[]}>('list', {root})
      yield {entries: value.entries.map(fromRow), unreadable: []}
      return
    }
    let token: number | undefined
    for (;;) {
      const {value} = await this.client.call<PageReply>('listPage', {
        root,
        max: PAGE_ENTRIES,
        ...(token !== undefined ? {token} : {}),
      })
      token = value.token
      yield {entries: value.entries.map(fromRow), unreadable: value.unreadable}
      if (value.done) return
    }
  }

  async hash(root: string, paths: string[]): Promise<Record<string, string | null>> {
    return (await this.client.call<{hashes: Record<string, string | null>}>('hash', {root, paths})).value.hashes
  }

  async readFile(path: string): Promise<Buffer> {
    return (await this.client.call('readFile', {path})).tail
  }

  private async fetchEntry(path: string, maxBytes: number): Promise<FetchedEntry> {
    const {value, tail} = await this.client.call<FetchedEntry>('readEntry', {path, maxBytes})
    return value.type === 'file' && !value.tooLarge ? {...value, data: tail} : value
  }

  /**
   * `tar -x` in the container fed through the runner: about ten times faster than the daemon's putArchive for a
   * thousand small files (the daemon extracts in a helper process it re-executes, file by file).
   */
  private async unpack(archive: AsyncIterable<Buffer>, dir: string): Promise<void> {
    const {handle, sent} = this.client.execWithInput(
      `exec tar -x -p -f - -C '${dir.replaceAll("'", `'\\''`)}'`,
      archive,
      {
        maxOutputBytes: 16 * 1024,
      },
    )
    const [input, outcome] = await Promise.allSettled([sent, handle.result])
    // The archive's own failure (an unreadable project file) says more than tar's complaint about a cut archive.
    if (input.status === 'rejected') throw input.reason
    if (outcome.status === 'rejected') throw outcome.reason
    const result = outcome.value
    if (result.exitCode !== 0) {
      const why = result.error ?? (result.stderr.text.trim().split('\n').pop() || `exit code ${result.exitCode}`)
      throw new Error(`unpacking the workspace in the sandbox failed: ${why}`)
    }
  }

  async writeFile(path: string, data: Buffer, mode?: number): Promise<void> {
    await this.client.call('writeFile', {path, ...(mode !== undefined ? {mode} : {})}, data)
  }

  async listDir(path: string): Promise<DirEntry[]> {
    return (await this.client.call<{entries: DirEntry[]}>('listDir', {path})).value.entries
  }

  async selftest(probes: NetworkProbe[]): Promise<SelfTestReport> {
    return (await this.client.call<SelfTestReport>('selftest', {probes})).value
  }

  async killBackground(): Promise<void> {
    await this.client.call('killBackground', {graceMs: 500})
  }

  async reset(options: {keepWorkspace?: boolean} = {}): Promise<void> {
    await this.client.call('reset', options.keepWorkspace ? {keepWorkspace: true} : {})
  }

  private async removePaths(root: string, paths: string[]): Promise<void> {
    if (paths.length > 0) await this.client.call('remove', {root, paths})
  }

  async copyTree(from: string, to: string, paths: string[]): Promise<void> {
    await this.client.call('copyTree', {from, to, paths})
  }

  detach(): void {
    this.client.detach()
  }
}
