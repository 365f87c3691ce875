// The Docker engine: opens hardened sessions step by step (open/), re-opens kept ones, finds and discards them.
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../config/schema.js'
import {UserInputError} from '../errors.js'
import {silentLogger, type Logger} from '../logging/logger.js'
import type {SandboxBackend} from './backend.js'
import {createDockerFromEnv, dockerFailure} from './docker-connection.js'
import type {DockerSandboxSession} from './docker-session.js'
import {DockerExecBackend} from './exec/docker-exec-backend.js'
import {defaultImageName} from './image/definition.js'
import {
  findOrphans,
  listSandboxContainers,
  removeSandboxContainer,
  type SandboxContainerInfo,
} from './lifecycle/orphans.js'
import type {SessionCleanup} from './lifecycle/session-cleanup.js'
import {newSessionId, volumeName} from './lifecycle/session-names.js'
import {SessionStore} from './lifecycle/session-store.js'
import {openNetworkStep} from './network/network-step.js'
import {removeSessionNetwork, type SessionNetwork} from './network/session-network.js'
import {checkImage, inspectSandboxImage} from './open/check-image.js'
import {attachRunner, connectBackend} from './open/connect-runner.js'
import {copyWorkspace} from './open/copy-workspace.js'
import {createSessionContainer} from './open/create-container.js'
import type {EngineContext} from './open/engine-context.js'
import {realDirectory} from './open/host-workspace.js'
import {newDockerSession} from './open/new-session.js'
import {openFailure, throwIfAborted} from './open/open-failure.js'
import {reuseWarmContainer} from './open/reuse-warm.js'
import {StepTimer} from './open/step-timer.js'
import {verifyIsolation} from './open/verify-isolation.js'
import type {OpenOptions, OrphanSession, ResumeOptions, SandboxEngine} from './types.js'
import {loadIgnoreRules} from './workspace/ignore-rules.js'
import {sessionCapacity} from './lifecycle/session-capacity.js'
import {claimPoolContainer, type ClaimedContainer} from './pool/claim-pool.js'
import {fillPool} from './pool/fill-pool.js'
import {poolRequest, type PoolRequest} from './pool/pool-key.js'

export type {OpenOptions} from './types.js'
export type {OpenTimings} from './open/step-timer.js'

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

export class DockerSandboxEngine implements SandboxEngine, EngineContext {
  readonly docker: Dockerode
  readonly logger: Logger
  readonly store: SessionStore
  readonly cleanup: SessionCleanup | undefined
  readonly hostEnv: NodeJS.ProcessEnv | undefined
  /** The warm pool's refill under way, if any (one at a time). */
  private refilling: Promise<void> | undefined

  constructor(options: EngineOptions = {}) {
    this.docker = options.docker ?? createDockerFromEnv()
    this.logger = options.logger ?? silentLogger()
    this.store = new SessionStore(options.stateDir)
    this.cleanup = options.cleanup
    this.hostEnv = options.hostEnv
  }

  /**
   * The steps: resolve the project, check the image, (reuse a warm container), create, attach and start, connect to
   * the runner, then the isolation check and the copy side by side, and record the session.
   */
  async open(workspace: string, settingsIn: SandboxSettings, options: OpenOptions = {}): Promise<DockerSandboxSession> {
    const settings: SandboxSettings = {...settingsIn, ...(options.mount !== undefined ? {mount: options.mount} : {})}
    const hostWorkspace = await realDirectory(workspace)
    const image = options.image ?? settings.image ?? defaultImageName()
    const {runnerUser, id: imageId} = await inspectSandboxImage(this.docker, image)
    throwIfAborted(options.signal)
    options.onChecked?.()
    if (options.reuse && !options.sessionId) {
      const reused = await reuseWarmContainer(this, {
        hostWorkspace,
        image,
        settings,
        keep: Boolean(options.keep),
        runnerUser,
      })
      if (reused) return reused
    }
    const timer = new StepTimer()
    const pool = options.sessionId
      ? undefined
      : poolRequest({image, imageId, settings, hostEnv: this.hostEnv, runnerUser, options})
    // A container from the warm pool skips create, start and the runner's start; it is checked like a fresh one.
    const claimed: ClaimedContainer | undefined = pool
      ? await claimPoolContainer(this.docker, pool.key).catch((error: unknown) => {
          this.logger.warn({err: error}, 'could not claim from the warm pool; creating a container')
          return undefined
        })
      : undefined
    if (pool) timer.step('claim')
    const id = claimed?.sessionId ?? options.sessionId ?? newSessionId()
    let container: Dockerode.Container | undefined = claimed?.container
    let backend: SandboxBackend | undefined
    let network: SessionNetwork | undefined
    // Until the session object exists, a signal must still remove what was created.
    const pending = {
      id,
      close: () => this.removeQuietly(container, claimed?.volume ?? volumeName(id), id),
      // Nothing worth keeping yet: a signal's keep removes it too, and says so.
      keep: async () => {
        await this.removeQuietly(container, claimed?.volume ?? volumeName(id), id)
        return 'removed' as const
      },
    }
    this.cleanup?.add(pending)
    try {
      const spec = {
        sessionId: id,
        workspace: hostWorkspace,
        image,
        settings,
        keep: Boolean(options.keep),
        hostEnv: this.hostEnv,
        runnerUser,
      }
      let client: Awaited<ReturnType<typeof attachRunner>>
      let opened: Awaited<ReturnType<typeof openNetworkStep>>
      let sessionContainer: Dockerode.Container
      if (claimed) {
        sessionContainer = claimed.container
        client = await attachRunner(sessionContainer, this.logger.child({session: id}))
        timer.step('attach')
      } else {
        // With an allow list: the internal network first; its proxy starts while the container is made.
        opened = await openNetworkStep(this.docker, spec, this.logger, options.signal)
        network = opened?.network
        timer.step('network')
        sessionContainer = container = await createSessionContainer(this.docker, {
          ...spec,
          ...(opened ? {network: opened.attachment} : {}),
        })
        timer.step('create')
        client = await attachRunner(sessionContainer, this.logger.child({session: id}))
        await sessionContainer.start()
        timer.step('start')
      }
      throwIfAborted(options.signal)
      const isIgnored = await loadIgnoreRules(hostWorkspace, settings.exclude)
      backend = await connectBackend(sessionContainer, client, this.logger, runnerUser)
      timer.step('runner')
      // The isolation check and the copy run side by side; nothing runs in the container before both are done.
      const volume = claimed?.volume ?? volumeName(id)
      const helper = {docker: this.docker, image, volume}
      const target = {container: sessionContainer, backend, root: hostWorkspace, isIgnored, helper}
      const [, manifest] = await Promise.all([
        timer.timed('selftest', () =>
          verifyIsolation(target.container, target.backend, settings, this.logger, runnerUser, network),
        ),
        timer.timed('copy', () => copyWorkspace(target, settings.mount ? 'mount' : 'archive')),
        timer.timed('proxy', async () => opened?.proxyReady),
      ])
      timer.step('selftest+copy')
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
        {
          session: id,
          image,
          backend: backend.kind,
          ...(pool ? {warmPool: claimed ? 'claimed' : 'empty'} : {}),
          files: manifest.size,
          timings: timer.timings,
          concurrent: timer.concurrent,
        },
        'session open',
      )
      if (pool) this.refillPool(pool)
      return newDockerSession(this, {
        id,
        hostWorkspace,
        image,
        settings,
        container: sessionContainer,
        volume,
        backend,
        manifest,
        ...(network ? {network} : {}),
        onExit: options.reuse ? 'idle' : options.keep ? 'keep' : 'remove',
      })
    } catch (error) {
      backend?.detach()
      network?.monitor?.stop()
      await this.removeQuietly(container, claimed?.volume ?? volumeName(id), id)
      await this.store.delete(id).catch(() => undefined)
      throw openFailure(error, {signal: options.signal, hostWorkspace, settings})
    } finally {
      this.cleanup?.delete(pending)
    }
  }

  /**
   * Tops the warm pool up in the background, while the session that just opened works (the CLI lives as long as its
   * session, so the refill finishes before it exits). A failed refill only costs the next session its head start.
   */
  private refillPool(pool: PoolRequest): void {
    this.refilling ??= fillPool(this.docker, pool, this.logger)
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn({err: error}, 'could not refill the warm pool'),
      )
      .finally(() => {
        this.refilling = undefined
      })
  }

  /** Resolves once the warm pool's refill under way (if any) is done: for benchmarks and tests. */
  async poolSettled(): Promise<void> {
    await this.refilling
  }

  /**
   * Re-opens a session by id (or unique id prefix): a kept (stopped) container is started again so its changes can be
   * read. Used by `agent diff/apply/discard <id>`. Dispose the result with keep() to leave it kept.
   */
  async resume(idOrPrefix: string, options: ResumeOptions = {}): Promise<DockerSandboxSession> {
    const info = await this.findSession(idOrPrefix)
    const record = await this.store.load(info.sessionId)
    if (!record) {
      throw new UserInputError(`No record of session ${info.sessionId} on this host`, {
        hint: `Remove it with \`agent discard ${info.sessionId}\``,
      })
    }
    // Reading changes needs no network; more work would, and an allow list's proxy is not started again here.
    if (options.onExit === 'remove' && typeof record.settings.network === 'object')
      throw new UserInputError(`Session ${info.sessionId} used an allow-list network, which is not restored on re-open`)
    const container = this.docker.getContainer(info.containerId)
    try {
      let backend: SandboxBackend
      const state = await container.inspect()
      if (state.State.Running) {
        backend = new DockerExecBackend(container)
      } else {
        const client = await attachRunner(container, this.logger.child({session: info.sessionId}), {
          explainGone: false,
        })
        await container.start()
        backend = await connectBackend(container, client, this.logger)
      }
      return newDockerSession(this, {
        id: record.id,
        hostWorkspace: record.workspace,
        image: record.image,
        settings: record.settings,
        container,
        volume: info.volume ?? volumeName(record.id),
        backend,
        manifest: record.manifest,
        onExit: options.onExit ?? 'keep',
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

  /** Sessions whose agent process on this host is gone. */
  orphans(): Promise<OrphanSession[]> {
    return findOrphans(this.docker)
  }

  async check(settings: SandboxSettings): Promise<void> {
    await checkImage(this.docker, settings.image ?? defaultImageName())
  }

  /**
   * Sessions wait on the model most of the time, so CPUs are shared: two sessions per CPU, and no more than the
   * daemon's memory holds at the memory limit.
   */
  async capacity(settings: SandboxSettings): Promise<number> {
    const info = (await this.docker.info().catch((error: unknown) => {
      throw dockerFailure(error, 'ask the Docker engine for its size')
    })) as {NCPU?: number; MemTotal?: number}
    return sessionCapacity([{cpus: info.NCPU ?? 1, memory: info.MemTotal ?? 0}], settings)
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

  private async removeQuietly(
    container: Dockerode.Container | undefined,
    volume: string,
    sessionId: string,
  ): Promise<void> {
    if (container)
      await removeSandboxContainer(this.docker, {containerId: container.id, volume, sessionId}).catch(() => undefined)
    else
      await Promise.all([
        this.docker
          .getVolume(volume)
          .remove()
          .catch(() => undefined),
        removeSessionNetwork(this.docker, sessionId).catch(() => undefined),
      ])
  }
}
