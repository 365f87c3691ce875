// One sandbox session: a hardened container with the workspace inside; exec, changes, apply, then keep or remove.
import path from 'node:path'
import type Dockerode from 'dockerode'

import {parseAllowEntry} from '../config/network-setting.js'
import type {SandboxSettings} from '../config/schema.js'
import type {Logger} from '../logging/logger.js'
import type {SandboxBackend} from './backend.js'
import {applyChanges} from './changes/apply-changes.js'
import {judgeChanges} from './changes/apply-policy.js'
import {computeChanges, type SandboxEntry} from './changes/compute-changes.js'
import {fetchEntry} from './changes/fetch-file.js'
import {configuredHooksDirs} from './changes/git-hooks-dirs.js'
import {dockerFailure} from './docker-connection.js'
import {openTerminal, ttyExec, type TerminalHandle, type TerminalOptions} from './exec/docker-exec.js'
import {ExecStream} from './exec/exec-stream.js'
import {WORKSPACE_DIR} from './lifecycle/container-spec.js'
import {removeSandboxContainer} from './lifecycle/orphans.js'
import type {SessionCleanup} from './lifecycle/session-cleanup.js'
import {containerName} from './lifecycle/session-names.js'
import type {SessionProxy} from './network/session-network.js'
import {withNetworkNotes} from './network/with-network-notes.js'
import type {SessionStore} from './lifecycle/session-store.js'
import type {
  ApplyOptions,
  ApplyReport,
  ChangeSet,
  DirEntry,
  ExecHandle,
  ExecOptions,
  NetworkSummary,
  SandboxSession,
  SpawnedProcess,
} from './types.js'
import type {Manifest} from './workspace/manifest.js'

export interface SessionParts {
  id: string
  hostWorkspace: string
  image: string
  settings: SandboxSettings
  docker: Dockerode
  container: Dockerode.Container
  volume: string
  backend: SandboxBackend
  manifest: Manifest
  store: SessionStore
  logger: Logger
  cleanup?: SessionCleanup
  /** The proxy of a session with an allow list (its internal network goes with the container or service). */
  network?: SessionProxy
  /** On dispose (and on a signal): 'remove' (default), 'keep' (stop, for diff/apply later) or 'idle' (warm for --reuse). */
  onExit: 'remove' | 'keep' | 'idle'
  /** An orchestrator's own removal (a Swarm service and its network); such a session cannot be kept. */
  removeWith?: () => Promise<void>
  /** Where the container runs (a Swarm node). */
  location?: string
}

/** How long winding a session down waits for the runner before going on without it. */
const RUNNER_GRACE_MS = 3000

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

export class DockerSandboxSession implements SandboxSession {
  readonly id: string
  readonly hostWorkspace: string
  private state: 'open' | 'kept' | 'closed' = 'open'
  /** The keep or removal under way: a second caller (a signal) waits for it instead of assuming it done. */
  private keeping: Promise<void> | undefined
  private closing: Promise<void> | undefined
  private contents = new Map<string, Buffer>()
  private current = new Map<string, SandboxEntry>()
  /** What the last listing could not read: never applied, whatever change set a caller passes. */
  private unreadable: readonly string[] = []
  /** The last listing had more changed entries than sandbox.maxApplyFiles: apply writes nothing. */
  private overLimit: ChangeSet['overLimit']

  constructor(private readonly parts: SessionParts) {
    this.id = parts.id
    this.hostWorkspace = parts.hostWorkspace
    parts.cleanup?.add(this, parts.onExit === 'keep' ? 'keep' : 'remove')
  }

  get location(): string | undefined {
    return this.parts.location
  }

  /** The container (or the engine's connection to it) went away. */
  lost(): string | undefined {
    return this.parts.backend.isGone ? 'the sandbox container went away' : undefined
  }

  /** 'runner' normally; 'docker-exec' when the image has no runner (slower, same results). */
  get backendKind(): SandboxBackend['kind'] {
    return this.parts.backend.kind
  }

  get containerId(): string {
    return this.parts.container.id
  }

  get settings(): SandboxSettings {
    return this.parts.settings
  }

  exec(command: string, options: ExecOptions = {}): ExecHandle {
    // A background command has no one at a keyboard: it runs detached through the runner even when a TTY was asked.
    const handle =
      options.tty && !options.background
        ? ttyExec(this.parts.container, command, options)
        : this.parts.backend.exec(command, options)
    const monitor = this.parts.network?.monitor
    return monitor ? withNetworkNotes(handle, monitor) : handle
  }

  /** A command with its stdin open (an MCP stdio server), through the runner; an image without one says so. */
  spawn(command: string, options: Omit<ExecOptions, 'background' | 'tty'> = {}): SpawnedProcess {
    const {backend} = this.parts
    if (backend.spawn) return backend.spawn(command, options)
    const stream = new ExecStream()
    stream.finish({
      error:
        "this sandbox image has no runner that can keep a command's input open; rebuild it with `agent sandbox build`",
    })
    return Object.assign(stream, {write: () => undefined, end: () => undefined})
  }

  /** Requests per host through the session's proxy, and whether the proxy stopped; undefined without an allow list. */
  networkSummary(): NetworkSummary | undefined {
    return this.parts.network?.monitor?.summary()
  }

  /** One more allow entry for the running proxy (the user allowed it in interactive mode). */
  async allowHost(entry: string): Promise<void> {
    const monitor = this.parts.network?.monitor
    if (!monitor) throw new Error('this session has no allow list to add to')
    const parsed = parseAllowEntry(entry)
    if (!parsed.ok) throw new Error(`cannot allow "${entry}": expected ${parsed.problem}`)
    await monitor.allow(parsed.rules)
  }

  /** An interactive terminal (Docker exec with a TTY and stdin attached) for a UI to wire to the user's terminal. */
  openTerminal(command: string, options: TerminalOptions = {}): Promise<TerminalHandle> {
    return openTerminal(this.parts.container, command, options)
  }

  /** Kills background commands and whatever foreground commands left running (also done at session end). */
  killBackground(): Promise<void> {
    return this.parts.backend.killBackground()
  }

  readFile(file: string): Promise<Buffer> {
    return this.parts.backend.readFile(file)
  }

  async writeFile(file: string, data: Buffer | string): Promise<void> {
    await this.parts.backend.writeFile(file, typeof data === 'string' ? Buffer.from(data) : data)
  }

  list(dir: string): Promise<DirEntry[]> {
    return this.parts.backend.listDir(dir)
  }

  async changes(): Promise<ChangeSet> {
    const {backend, container} = this.parts
    const {changeSet, contents, current} = await computeChanges({
      sessionId: this.id,
      hostRoot: this.hostWorkspace,
      manifest: this.parts.manifest,
      listing: backend.listing(WORKSPACE_DIR),
      maxEntries: this.parts.settings.maxApplyFiles,
      hashInSandbox: (paths) => backend.hash(WORKSPACE_DIR, paths),
      // Through the runner (~1 ms a file) when there is one; Docker's getArchive costs ~35 ms a file.
      fetch: (rel, maxBytes) => {
        const file = path.posix.join(WORKSPACE_DIR, rel)
        return backend.readEntry && !backend.isGone
          ? backend.readEntry(file, maxBytes)
          : fetchEntry(container, file, maxBytes)
      },
    })
    this.contents = contents
    this.current = current
    this.unreadable = (changeSet.unreadable ?? []).map((entry) => entry.path)
    this.overLimit = changeSet.overLimit
    return this.judge(changeSet)
  }

  /** The apply policy's verdicts, judged against what was copied in (never taken from the caller's change set). */
  private judge(changeSet: ChangeSet): ChangeSet {
    return judgeChanges(changeSet, {
      base: this.parts.manifest,
      hooksDirs: configuredHooksDirs(this.hostWorkspace),
      unreadable: this.unreadable,
    })
  }

  async apply(changes: ChangeSet, options: ApplyOptions = {}): Promise<ApplyReport> {
    const overLimit = this.overLimit ?? changes.overLimit
    if (overLimit) return {applied: [], refused: [], overLimit}
    const report = await applyChanges({
      hostRoot: this.hostWorkspace,
      containerRoot: WORKSPACE_DIR,
      changeSet: this.judge(changes),
      maxBytes: this.parts.settings.maxApplyBytes,
      contents: this.contents,
      source: this.parts.container,
      ...(options.force ? {force: true} : {}),
      ...(options.allowSensitive ? {allowSensitive: true} : {}),
    })
    if (this.unreadable.length > 0) report.unreadable = [...this.unreadable]
    this.parts.logger.info(
      {session: this.id, applied: report.applied.length, refused: report.refused.length},
      'changes applied',
    )
    await this.recordApplied(changes, report)
    return report
  }

  /** What was applied is the new base: later changes() report only what changes after it. */
  private async recordApplied(changes: ChangeSet, report: ApplyReport): Promise<void> {
    const {manifest} = this.parts
    const byPath = new Map(changes.changes.map((change) => [change.path, change]))
    for (const rel of report.applied) {
      const change = byPath.get(rel)
      const now = this.current.get(rel)
      if (!change || change.kind === 'deleted' || !now || now.type === 'o') {
        manifest.delete(rel)
        continue
      }
      manifest.set(rel, {
        type: now.type,
        size: now.type === 'f' ? now.size : 0,
        mtime: Math.floor(now.mtimeMs / 1000),
        mode: now.mode,
        ...(change.sha256 ? {sha256: change.sha256} : {}),
        ...(now.link !== undefined ? {link: now.link} : {}),
      })
    }
    const record = await this.parts.store.load(this.id)
    if (record) await this.parts.store.save({...record, manifest})
  }

  /**
   * Stops the container and keeps it (and its volume and host record) for `agent diff/apply/discard <id>`. Says
   * 'removed' when a removal got there first. A second call waits for the first.
   */
  async keep(): Promise<void | 'removed'> {
    if (this.parts.removeWith) {
      await this.close()
      return 'removed'
    }
    if (this.closing) {
      await this.closing
      return 'removed'
    }
    if (this.state === 'closed') return 'removed'
    this.state = 'kept'
    this.keeping ??= this.stopAndKeep().finally(() => this.parts.cleanup?.delete(this))
    await this.keeping
  }

  private async stopAndKeep(): Promise<void> {
    const {container, backend} = this.parts
    // Bounded: a runner that no longer answers must not hold the container running.
    await withTimeout(backend.killBackground(), RUNNER_GRACE_MS).catch(() => undefined)
    backend.detach()
    await this.parts.network?.stopProxy()
    try {
      await container.stop({t: 2}).catch((error: {statusCode?: number}) => {
        if (error.statusCode !== 304) throw error
      })
      await container.rename({name: containerName(this.id, {kind: 'kept'})}).catch(() => undefined)
    } catch (error) {
      // Removed meanwhile (Ctrl-C again): nothing left to keep, and close() says so.
      if (this.closing) return
      throw dockerFailure(error, 'stop the sandbox container')
    }
    this.parts.logger.info({session: this.id}, 'session kept')
  }

  /**
   * Removes the container, its volume and the host record; background processes die with it. Wins over a keep under
   * way. Idempotent: a second call waits for the first.
   */
  async close(): Promise<void> {
    if (this.state === 'closed' && !this.closing) return
    this.state = 'closed'
    this.closing ??= this.remove().finally(() => this.parts.cleanup?.delete(this))
    await this.closing
  }

  private async remove(): Promise<void> {
    this.parts.backend.detach()
    try {
      this.parts.network?.monitor?.stop()
      if (this.parts.removeWith) await this.parts.removeWith()
      else
        await removeSandboxContainer(this.parts.docker, {
          containerId: this.parts.container.id,
          volume: this.parts.volume,
          sessionId: this.id,
        })
    } catch (error) {
      throw dockerFailure(error, 'remove the sandbox container')
    } finally {
      await this.parts.store.delete(this.id)
    }
    this.parts.logger.info({session: this.id}, 'session removed')
  }

  /** Leaves the container running and idle for the next `--reuse` of this workspace. */
  async release(): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'closed'
    try {
      await withTimeout(this.parts.backend.killBackground(), RUNNER_GRACE_MS).catch(() => undefined)
      this.parts.backend.detach()
      await this.parts.network?.stopProxy()
      await this.parts.container.rename({name: containerName(this.id, {kind: 'idle'})})
      await this.parts.store.delete(this.id)
    } finally {
      this.parts.cleanup?.delete(this)
    }
    this.parts.logger.info({session: this.id}, 'session left warm for reuse')
  }

  /** What `await using` does: remove, keep or leave warm, as asked when the session was opened. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.state !== 'open') return
    if (this.parts.onExit === 'keep') await this.keep()
    else if (this.parts.onExit === 'idle') await this.release()
    else await this.close()
  }
}
