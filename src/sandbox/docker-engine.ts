// The Docker engine: opens hardened sessions (create, attach, start, copy in, self-test) and re-opens kept ones.
import fs from 'node:fs/promises'
import type {Duplex} from 'node:stream'
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../config/schema.js'
import {AgentError, ExitCode, UserInputError} from '../errors.js'
import {silentLogger, type Logger} from '../logging/logger.js'
import type {SandboxBackend} from './backend.js'
import {connectDocker, dockerFailure} from './docker-connection.js'
import {DockerSandboxSession} from './docker-session.js'
import {defaultImageName} from './image/definition.js'
import {DockerExecBackend} from './exec/docker-exec-backend.js'
import {Labels} from './labels.js'
import {
  MOUNT_LOWER_DIR,
  WORKSPACE_DIR,
  configHash,
  containerSpec,
  unknownRuntimeError,
  volumeSpec,
} from './lifecycle/container-spec.js'
import {NETWORK_PROBES, inspectProblems, selfTestProblems} from './lifecycle/isolation-check.js'
import {listSandboxContainers, removeSandboxContainer, type SandboxContainerInfo} from './lifecycle/orphans.js'
import type {SessionCleanup} from './lifecycle/session-cleanup.js'
import {SessionLabels, containerName, newSessionId, volumeName} from './lifecycle/session-names.js'
import {SessionStore} from './lifecycle/session-store.js'
import {RunnerBackend} from './runner/runner-backend.js'
import {NO_RUNNER, RunnerClient} from './runner/runner-client.js'
import {loadIgnoreRules} from './workspace/ignore-rules.js'
import type {Manifest} from './workspace/manifest.js'
import {packWorkspace, scanWorkspace, type PackOptions} from './workspace/pack-workspace.js'

const RUNNER_READY_TIMEOUT_MS = 20_000

export interface EngineOptions {
  /** Defaults to a client for DOCKER_HOST / the default socket. */
  docker?: Dockerode
  logger?: Logger
  /** Where session records live on the host (default: the CLI's data dir). */
  stateDir?: string
  /** Sessions to clean up on SIGINT/SIGTERM (see SessionCleanup.installSignalHandlers). */
  cleanup?: SessionCleanup
  /** The environment `sandbox.env` names are read from (default process.env). */
  hostEnv?: NodeJS.ProcessEnv
}

export interface OpenOptions {
  signal?: AbortSignal
  /** Stop and keep the container when the session is disposed or the process is interrupted. */
  keep?: boolean
  /** Use a warm idle container of this workspace (same image and settings) if there is one; leave it warm after. */
  reuse?: boolean
  /** Overrides settings.mount (bind the project read-only, copy inside the container). */
  mount?: boolean
  /** Overrides settings.image (else defaultImageName()). */
  image?: string
}

/** How long each step of open took (ms), for --debug and benchmarks. */
export type OpenTimings = Record<string, number>

export class DockerSandboxEngine {
  readonly docker: Dockerode
  readonly logger: Logger
  readonly store: SessionStore

  constructor(private readonly options: EngineOptions = {}) {
    this.docker = options.docker ?? connectDocker()
    this.logger = options.logger ?? silentLogger()
    this.store = new SessionStore(options.stateDir)
  }

  async open(workspace: string, settingsIn: SandboxSettings, options: OpenOptions = {}): Promise<DockerSandboxSession> {
    const settings: SandboxSettings = {...settingsIn, ...(options.mount !== undefined ? {mount: options.mount} : {})}
    const hostWorkspace = await realDirectory(workspace)
    const image = options.image ?? settings.image ?? defaultImageName()
    await this.checkImage(image)
    throwIfAborted(options.signal)
    if (options.reuse) {
      const reused = await this.tryReuse(hostWorkspace, image, settings, options)
      if (reused) return reused
    }
    const id = newSessionId()
    const timings: OpenTimings = {}
    let mark = performance.now()
    const step = (name: string): void => {
      const now = performance.now()
      timings[name] = Math.round(now - mark)
      mark = now
    }
    const input = {
      sessionId: id,
      workspace: hostWorkspace,
      image,
      settings,
      keep: Boolean(options.keep),
      hostEnv: this.options.hostEnv,
    }
    let container: Dockerode.Container | undefined
    let backend: SandboxBackend | undefined
    // Until the session object exists, a signal must still remove what was created.
    const pending = {
      id,
      close: () => this.removeQuietly(container, volumeName(id)),
      keep: () => this.removeQuietly(container, volumeName(id)),
    }
    this.options.cleanup?.add(pending)
    try {
      await this.docker.createVolume(volumeSpec(input))
      container = await this.docker.createContainer(containerSpec(input))
      step('create')
      const client = await this.attachRunner(container, id)
      await container.start()
      step('start')
      throwIfAborted(options.signal)
      const isIgnored = await loadIgnoreRules(hostWorkspace, settings.exclude)
      backend = await this.connectBackend(container, client)
      step('runner')
      // The isolation check and the copy run side by side; nothing runs in the container before both are done.
      const ready = backend
      const concurrent: OpenTimings = {}
      const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
        const started = performance.now()
        try {
          return await work()
        } finally {
          concurrent[name] = Math.round(performance.now() - started)
        }
      }
      const [, manifest] = await Promise.all([
        timed('selftest', () => this.verifyIsolation(container!, ready, settings)),
        timed('copy', () =>
          settings.mount
            ? this.copyFromMount(ready, hostWorkspace, isIgnored)
            : this.copyIn(container!, ready, hostWorkspace, isIgnored),
        ),
      ])
      step('selftest+copy')
      throwIfAborted(options.signal)
      await this.store.save({
        id,
        workspace: hostWorkspace,
        image,
        settings,
        createdAt: new Date().toISOString(),
        manifest,
      })
      this.logger.info(
        {session: id, image, backend: backend.kind, files: manifest.size, timings, concurrent},
        'session open',
      )
      return new DockerSandboxSession({
        id,
        hostWorkspace,
        image,
        settings,
        docker: this.docker,
        container,
        volume: volumeName(id),
        backend,
        manifest,
        store: this.store,
        logger: this.logger,
        ...(this.options.cleanup ? {cleanup: this.options.cleanup} : {}),
        onExit: options.reuse ? 'idle' : options.keep ? 'keep' : 'remove',
      })
    } catch (error) {
      backend?.detach()
      await this.removeQuietly(container, volumeName(id))
      await this.store.delete(id).catch(() => undefined)
      if (error instanceof AgentError) throw error
      if (options.signal?.aborted)
        throw new AgentError('Canceled while starting the sandbox', {exitCode: ExitCode.interrupted})
      const unreadable = hostFileError(error, hostWorkspace)
      if (unreadable) throw unreadable
      throw unknownRuntimeError(error, settings.runtime) ?? dockerFailure(error, 'start the sandbox')
    } finally {
      this.options.cleanup?.delete(pending)
    }
  }

  /**
   * Re-opens a session by id (or unique id prefix): a kept (stopped) container is started again so its changes can be
   * read. Used by `agent diff/apply/discard <id>`. Dispose the result with keep() to leave it kept.
   */
  async resume(idOrPrefix: string): Promise<DockerSandboxSession> {
    const info = await this.findSession(idOrPrefix)
    const record = await this.store.load(info.sessionId)
    if (!record) {
      throw new UserInputError(`No record of session ${info.sessionId} on this host`, {
        hint: `Remove it with \`agent discard ${info.sessionId}\``,
      })
    }
    const container = this.docker.getContainer(info.containerId)
    try {
      let backend: SandboxBackend
      const state = await container.inspect()
      if (state.State.Running) {
        backend = new DockerExecBackend(container)
      } else {
        const client = await this.attachRunner(container, info.sessionId, {explainGone: false})
        await container.start()
        backend = await this.connectBackend(container, client)
      }
      return new DockerSandboxSession({
        id: record.id,
        hostWorkspace: record.workspace,
        image: record.image,
        settings: record.settings,
        docker: this.docker,
        container,
        volume: info.volume ?? volumeName(record.id),
        backend,
        manifest: record.manifest,
        store: this.store,
        logger: this.logger,
        ...(this.options.cleanup ? {cleanup: this.options.cleanup} : {}),
        onExit: 'keep',
      })
    } catch (error) {
      throw dockerFailure(error, `re-open session ${info.sessionId}`)
    }
  }

  /** Removes a session's container, volume and host record, without starting it. */
  async discard(idOrPrefix: string): Promise<string> {
    const info = await this.findSession(idOrPrefix)
    await removeSandboxContainer(this.docker, info).catch((error: unknown) => {
      throw dockerFailure(error, `remove session ${info.sessionId}`)
    })
    await this.store.delete(info.sessionId)
    return info.sessionId
  }

  /** Every session container this engine can see. */
  sessions(): Promise<SandboxContainerInfo[]> {
    return listSandboxContainers(this.docker).catch((error: unknown) => {
      throw dockerFailure(error, 'list sandbox containers')
    })
  }

  async findSession(idOrPrefix: string): Promise<SandboxContainerInfo> {
    const all = await this.sessions()
    const matches = all.filter((info) => info.sessionId.startsWith(idOrPrefix))
    if (matches.length === 1) return matches[0]!
    if (matches.length === 0)
      throw new UserInputError(`No sandbox session ${idOrPrefix}`, {hint: 'List sessions with `agent sandbox ls`'})
    throw new UserInputError(`Session id ${idOrPrefix} is ambiguous (${matches.length} sessions)`, {
      hint: 'Give more characters of the id',
    })
  }

  private async checkImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect()
    } catch (error) {
      if ((error as {statusCode?: number}).statusCode === 404) {
        throw new AgentError(`The sandbox image ${image} is not on this Docker engine`, {
          hint: 'Build it with `agent sandbox build` (images are never pulled)',
          exitCode: ExitCode.docker,
        })
      }
      throw dockerFailure(error, 'inspect the sandbox image')
    }
  }

  /**
   * Copies the project in: through the runner into `tar -x` in the container when there is a runner, else with the
   * daemon's putArchive (several times slower for many small files).
   */
  private async copyIn(
    container: Dockerode.Container,
    backend: SandboxBackend,
    root: string,
    isIgnored: Parameters<typeof packWorkspace>[1],
    pack: PackOptions = {},
  ): Promise<Manifest> {
    const packed = packWorkspace(root, isIgnored, pack)
    // A read error fails both the upload and the manifest; the upload's rejection is the one reported.
    packed.manifest.catch(() => undefined)
    try {
      if (backend.upload) await backend.upload(packed.stream, WORKSPACE_DIR)
      else await container.putArchive(packed.stream, {path: WORKSPACE_DIR})
    } catch (error) {
      // An unreadable project file cuts the archive: report that, not what the cut made the receiving end say.
      packed.stream.destroy()
      const packError = await packed.manifest.then(
        () => undefined,
        (reason: unknown) => reason,
      )
      throw (packError as NodeJS.ErrnoException | undefined)?.syscall ? packError : error
    }
    return packed.manifest
  }

  /**
   * Reuse: brings the warm container's workspace in line with the project by sending only what differs. Entries the
   * project no longer has (or has as another type) are removed first; a file counts as unchanged only when type,
   * mode, size, mtime and the sha256 the runner computes in the container all match what the host has now, so
   * whatever the previous session left behind is either verified or replaced.
   */
  private async refreshWorkspace(
    container: Dockerode.Container,
    backend: SandboxBackend,
    root: string,
    isIgnored: Parameters<typeof packWorkspace>[1],
  ): Promise<Manifest> {
    const [listing, onHost] = await Promise.all([backend.list(WORKSPACE_DIR), scanWorkspace(root, isIgnored)])
    const inSandbox = new Map(listing.map((entry) => [entry.path, entry]))
    const stale = listing.filter((entry) => onHost.get(entry.path)?.type !== entry.type).map((entry) => entry.path)
    const staleSet = new Set(stale)
    // Only the top-most of the stale paths: removing a directory removes what is under it.
    const topMost = stale.filter((rel) => {
      for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
        if (staleSet.has(rel.slice(0, i))) return false
      }
      return true
    })
    const lookSame = (rel: string, host: {type: string; size: number; mtime: number; mode: number}): boolean => {
      const now = inSandbox.get(rel)
      return (
        now !== undefined &&
        !staleSet.has(rel) &&
        now.mode === host.mode &&
        (host.type !== 'f' || (now.size === host.size && Math.floor(now.mtimeMs / 1000) === host.mtime))
      )
    }
    const candidates = [...onHost].filter(([rel, host]) => host.type === 'f' && lookSame(rel, host)).map(([rel]) => rel)
    const [hashes] = await Promise.all([
      candidates.length > 0
        ? backend.hash(WORKSPACE_DIR, candidates)
        : Promise.resolve({} as Record<string, string | null>),
      backend.remove!(WORKSPACE_DIR, topMost),
    ])
    return this.copyIn(container, backend, root, isIgnored, {
      include: (rel, entry) => {
        if (!lookSame(rel, entry)) return true
        if (entry.type === 'f') return hashes[rel] !== entry.sha256
        if (entry.type === 'l') return inSandbox.get(rel)?.link !== entry.link
        return false
      },
    })
  }

  /** --mount mode: list the project on the host, then copy those paths from the read-only bind inside the container. */
  private async copyFromMount(
    backend: SandboxBackend,
    root: string,
    isIgnored: Parameters<typeof scanWorkspace>[1],
  ): Promise<Manifest> {
    const manifest = await scanWorkspace(root, isIgnored)
    try {
      await backend.copyTree(MOUNT_LOWER_DIR, WORKSPACE_DIR, [...manifest.keys()])
    } catch (error) {
      throw new AgentError(
        `Could not copy the mounted project inside the sandbox: ${(error as Error).message.split('\n')[0]}`,
        {
          hint: 'With --mount the container user (uid 1000) must be able to read the project; or run without --mount',
          exitCode: ExitCode.docker,
          cause: error,
        },
      )
    }
    return manifest
  }

  /** The runner when the image has one, else the docker-exec fallback. */
  /**
   * Attaches to the container's main process (the runner, or the fallback's sleep) before it starts, so no output is
   * missed. `explainGone` lets the client say "out of memory" when the container dies under a command.
   */
  private async attachRunner(
    container: Dockerode.Container,
    sessionId: string,
    {explainGone = true}: {explainGone?: boolean} = {},
  ): Promise<RunnerClient> {
    const socket = (await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as Duplex
    return new RunnerClient(socket, {
      logger: this.logger.child({session: sessionId}),
      ...(explainGone
        ? {explainGone: async () => ({oomKilled: Boolean((await container.inspect()).State?.OOMKilled)})}
        : {}),
    })
  }

  private async connectBackend(container: Dockerode.Container, client: RunnerClient): Promise<SandboxBackend> {
    try {
      await client.waitReady(RUNNER_READY_TIMEOUT_MS)
      return new RunnerBackend(client)
    } catch (error) {
      if (!client.diagnostics.includes(NO_RUNNER)) {
        const detail = client.diagnostics.trim().split('\n').pop() ?? ''
        throw new AgentError(`The sandbox runner did not start${detail ? `: ${detail}` : ''}`, {
          hint: 'Rebuild the image with `agent sandbox build`, or run with --debug and check the log',
          exitCode: ExitCode.docker,
          cause: error,
        })
      }
      client.detach()
      this.logger.warn('image has no runner: falling back to docker exec (slower)')
      return new DockerExecBackend(container)
    }
  }

  private async verifyIsolation(
    container: Dockerode.Container,
    backend: SandboxBackend,
    settings: SandboxSettings,
  ): Promise<void> {
    const [info, report] = await Promise.all([
      container.inspect(),
      backend.selftest(settings.network === 'none' ? NETWORK_PROBES : []),
    ])
    const problems = [...inspectProblems(info, settings), ...selfTestProblems(report, settings)]
    if (problems.length > 0) {
      this.logger.error({problems}, 'sandbox isolation check failed')
      throw new AgentError(`The sandbox is not isolated as configured: ${problems.join('; ')}`, {
        hint: 'Refusing to run; check the Docker engine and runtime, or the sandbox settings',
        exitCode: ExitCode.docker,
      })
    }
  }

  private async tryReuse(
    hostWorkspace: string,
    image: string,
    settings: SandboxSettings,
    options: OpenOptions,
  ): Promise<DockerSandboxSession | undefined> {
    const hash = configHash(image, settings)
    const candidates = (await this.sessions()).filter(
      (info) => info.session.kind === 'idle' && info.workspace === hostWorkspace && info.dockerState === 'running',
    )
    for (const info of candidates) {
      const container = this.docker.getContainer(info.containerId)
      try {
        const inspected = await container.inspect()
        if (inspected.Config.Labels?.[SessionLabels.configHash] !== hash) continue
        // Claim it: the rename fails if another process claimed it first.
        await container.rename({name: containerName(info.sessionId, {kind: 'active', ownerPid: process.pid})})
        const client = await this.attachRunner(container, info.sessionId)
        const backend = await this.connectBackend(container, client)
        const incremental = !settings.mount && backend.upload !== undefined && backend.remove !== undefined
        await backend.reset({keepWorkspace: incremental})
        const isIgnored = await loadIgnoreRules(hostWorkspace, settings.exclude)
        const [, manifest] = await Promise.all([
          this.verifyIsolation(container, backend, settings),
          settings.mount
            ? this.copyFromMount(backend, hostWorkspace, isIgnored)
            : incremental
              ? this.refreshWorkspace(container, backend, hostWorkspace, isIgnored)
              : this.copyIn(container, backend, hostWorkspace, isIgnored),
        ])
        await this.store.save({
          id: info.sessionId,
          workspace: hostWorkspace,
          image,
          settings,
          createdAt: new Date().toISOString(),
          manifest,
        })
        this.logger.info({session: info.sessionId}, 'reusing a warm container')
        return new DockerSandboxSession({
          id: info.sessionId,
          hostWorkspace,
          image,
          settings,
          docker: this.docker,
          container,
          volume: info.volume ?? volumeName(info.sessionId),
          backend,
          manifest,
          store: this.store,
          logger: this.logger,
          ...(this.options.cleanup ? {cleanup: this.options.cleanup} : {}),
          onExit: options.keep ? 'keep' : 'idle',
        })
      } catch (error) {
        this.logger.warn({err: error, session: info.sessionId}, 'could not reuse warm container; removing it')
        await removeSandboxContainer(this.docker, info).catch(() => undefined)
      }
    }
    return undefined
  }

  private async removeQuietly(container: Dockerode.Container | undefined, volume: string): Promise<void> {
    if (container) await removeSandboxContainer(this.docker, {containerId: container.id, volume}).catch(() => undefined)
    else
      await this.docker
        .getVolume(volume)
        .remove()
        .catch(() => undefined)
  }
}

async function realDirectory(dir: string): Promise<string> {
  try {
    const real = await fs.realpath(dir)
    if (!(await fs.stat(real)).isDirectory()) throw new Error('not a directory')
    return real
  } catch {
    throw new UserInputError(`The workspace ${dir} is not a directory`)
  }
}

/** A file of the project that could not be read while copying it in (not a Docker problem): a user error. */
function hostFileError(error: unknown, root: string): UserInputError | undefined {
  const e = error as NodeJS.ErrnoException
  if (typeof e?.path !== 'string' || typeof e.syscall !== 'string' || !e.path.startsWith(root)) return undefined
  const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : (e.code ?? e.message)
  return new UserInputError(`Cannot read ${e.path} in the project (${why})`, {
    hint: 'Make it readable, or leave it out with .qwenignore or sandbox.exclude',
    cause: error,
  })
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AgentError('Canceled while starting the sandbox', {exitCode: ExitCode.interrupted})
}

export {Labels}
