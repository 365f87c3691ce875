// The Swarm engine: each session is a one-task service on a cluster reached through its manager's DOCKER_HOST, on an
// internal overlay network of its own (with an allow list, beside a proxy service on the same node); the host attaches
// to the task's container through its node's engine.
import os from 'node:os'
import type {Duplex} from 'node:stream'
import type Dockerode from 'dockerode'

import {allowRules} from '../../config/network-setting.js'
import type {SandboxSettings} from '../../config/schema.js'
import {AgentError, ExitCode, UserInputError} from '../../errors.js'
import {silentLogger, type Logger} from '../../logging/logger.js'
import {createDockerFromEnv, dockerFailure} from '../docker-connection.js'
import {DockerSandboxSession} from '../docker-session.js'
import {defaultImageName} from '../image/definition.js'
import {isProcessAlive} from '../inventory/owner-status.js'
import {attachMainProcess} from '../lifecycle/helper-container.js'
import type {SessionCleanup} from '../lifecycle/session-cleanup.js'
import {NETWORK_PROBES} from '../lifecycle/isolation-check.js'
import {sessionCapacity} from '../lifecycle/session-capacity.js'
import {newSessionId} from '../lifecycle/session-names.js'
import {SessionStore} from '../lifecycle/session-store.js'
import {runnerUserOf, type RunnerUser} from '../lifecycle/runner-user.js'
import {Labels, managedFilter} from '../labels.js'
import {connectBackend} from '../open/connect-runner.js'
import {copyWorkspace} from '../open/copy-workspace.js'
import {realDirectory} from '../open/host-workspace.js'
import {openFailure, throwIfAborted} from '../open/open-failure.js'
import {RunnerClient} from '../runner/runner-client.js'
import type {OpenOptions, OrphanSession, SandboxEngine} from '../types.js'
import {loadIgnoreRules} from '../workspace/ignore-rules.js'
import {proxyTimeouts} from '../network/network-step.js'
import {PROXY_ROLE, proxyEnv} from '../network/session-network.js'
import {nodeEngines, type SwarmNode} from './node-engines.js'
import {registryClient, registryHost, registryImageLabels, RegistryLoginError} from './registry-client.js'
import {registryCredentials, registryLoginHint, type RegistryCredentials} from './registry-credentials.js'
import {splitReference} from './registry-push.js'
import {networkSpec, serviceName, serviceSpec} from './service-spec.js'
import {sessionNetworkProblems, swarmIsolationProblems} from './swarm-isolation.js'
import {egressNetworkSpec, overlaySubnet, proxyServiceName, proxyServiceSpec, SwarmSessionProxy} from './swarm-proxy.js'

export interface SwarmEngineOptions {
  /** The manager's engine (default: DOCKER_HOST). */
  docker?: Dockerode
  env?: NodeJS.ProcessEnv
  logger?: Logger
  cleanup?: SessionCleanup
  hostEnv?: NodeJS.ProcessEnv
  /** Where the nodes pull the sandbox image from (`agent sandbox build --push REGISTRY`). */
  registry?: string
  /** How long a task may take to be placed and start (the first pull of the image on a node included). */
  startTimeoutMs?: number
}

const POLL_MS = 250
/** A task not running after this long gets its node checked. */
const NODE_CHECK_AFTER_MS = 5000
/**
 * Swarm's gossip port, open on every node's own address: the sandbox's self-test must fail to reach it there, or the
 * session network leads to the node itself (the Swarm form of the local engine's check that the host has no address
 * on the session network).
 */
const NODE_PROBE_PORT = 7946

/** What a session made on the cluster, removed in this order: services first, then their networks. */
interface SessionParts {
  services: Dockerode.Service[]
  networks: string[]
}

/** The node a session was placed on is down: another attempt should go elsewhere. */
export class NodeDownError extends AgentError {
  constructor(
    message: string,
    readonly node: string,
  ) {
    super(message, {exitCode: ExitCode.docker, hint: 'Another node may take the session (agent batch --retries)'})
  }
}

export class SwarmSandboxEngine implements SandboxEngine {
  private readonly docker: Dockerode
  private readonly logger: Logger
  private readonly nodeEngine: (node: SwarmNode) => Dockerode
  private readonly store = new SessionStore(os.tmpdir())
  private readonly env: NodeJS.ProcessEnv
  /** The login for the registry (from the Docker config), read once: for its API and as the services' pull auth. */
  private login: {credentials: RegistryCredentials | undefined} | undefined

  constructor(private readonly options: SwarmEngineOptions = {}) {
    const env = options.env ?? process.env
    this.env = env
    this.docker = options.docker ?? createDockerFromEnv(env)
    this.logger = options.logger ?? silentLogger()
    this.nodeEngine = nodeEngines(env)
  }

  async open(workspace: string, settings: SandboxSettings, options: OpenOptions = {}): Promise<DockerSandboxSession> {
    const hostWorkspace = await realDirectory(workspace)
    refuseUnsupported(settings)
    const image = await this.imageReference(options.image ?? settings.image)
    const runnerUser = await this.runnerUser(image)
    throwIfAborted(options.signal)
    options.onChecked?.()
    const id = options.sessionId ?? newSessionId()
    const log = this.logger.child({session: id})
    const labelled = {sessionId: id, workspace: hostWorkspace}
    // An allow list (sandbox.network.allow, --allow-host): a proxy service beside the session's; "none": no proxy.
    const rules = allowRules(settings.network) ?? []
    const proxied = typeof settings.network === 'object'
    const parts: SessionParts = {services: [], networks: []}
    let socket: Duplex | undefined
    let proxy: Promise<SwarmSessionProxy> | undefined
    /** The node the task landed on: a failure from then on names it, so a retry keeps off it. */
    let placedOn: string | undefined
    const removeAll = () => this.removeSession(parts)
    const pending = {id, close: removeAll, keep: async () => (await removeAll(), 'removed' as const)}
    this.options.cleanup?.add(pending)
    try {
      const upstream = this.env.SANDBOX_AGENT_SWARM_PROXY_NETWORK
      const [network, egress] = await Promise.all([
        this.docker.createNetwork(networkSpec(labelled)),
        proxied && !upstream ? this.docker.createNetwork(egressNetworkSpec(labelled)) : undefined,
      ])
      parts.networks.push(network.id, ...(egress ? [egress.id] : []))
      // The nodes pull the image with the registry's login, when there is one (as `docker service create
      // --with-registry-auth`); always two arguments, or dockerode would send the spec itself as the auth.
      parts.services.push(
        await this.docker.createService(
          this.registryCredentials() ?? {},
          serviceSpec({
            ...labelled,
            image,
            settings,
            runnerUser,
            network: network.id,
            ...(proxied ? {extraEnv: proxyEnv()} : {}),
            ...(options.placement?.avoid.length ? {avoid: options.placement.avoid} : {}),
            ...(this.options.hostEnv ? {hostEnv: this.options.hostEnv} : {}),
          }),
        ),
      )
      const task = await this.runningTask(serviceName(id), options.signal)
      placedOn = task.node.hostname
      const nodeDocker = this.nodeEngine(task.node)
      if (proxied) {
        const subnet = await overlaySubnet(network)
        parts.services.push(
          await this.docker.createService(
            this.registryCredentials() ?? {},
            proxyServiceSpec({
              ...labelled,
              image,
              rules,
              sessionNetwork: {id: network.id, subnet},
              upstream: upstream ?? egress!.id,
              nodeId: task.node.id,
              timeouts: proxyTimeouts(this.env),
            }),
          ),
        )
        // Started while the sandbox is checked and the workspace copied in.
        proxy = this.runningTask(proxyServiceName(id), options.signal).then((proxyTask) =>
          SwarmSessionProxy.attach(
            nodeDocker,
            nodeDocker.getContainer(proxyTask.containerId),
            log.child({proxy: id}),
            options.signal,
          ),
        )
        proxy.catch(() => undefined)
      }
      const container = nodeDocker.getContainer(task.containerId)
      socket = await attachMainProcess(container)
      // The main process starts the runner once it reads this line (see SWARM_RUNNER_COMMAND).
      socket.write('\n')
      const client = new RunnerClient(socket, {logger: log})
      const backend = await connectBackend(container, client, log, runnerUser)
      const probes = [...NETWORK_PROBES, {host: task.node.addr, port: NODE_PROBE_PORT, timeoutMs: 1500}]
      const [info, report, networkInfo] = await Promise.all([
        container.inspect(),
        backend.selftest(probes),
        network.inspect() as Promise<{Name?: string; Internal?: boolean}>,
      ])
      const expected = backend.kind === 'runner' ? runnerUser : 'agent'
      const problems = [
        ...swarmIsolationProblems(info, report, settings, runnerUser, networkSpec(labelled).Name, expected),
        ...sessionNetworkProblems(networkInfo),
      ]
      if (problems.length > 0)
        throw new AgentError(
          `The sandbox is not isolated as configured on node ${task.node.hostname}: ${problems.join('; ')}`,
          {
            hint: 'Refusing to run; run the nodes\' daemons with "no-new-privileges": true and check the sandbox settings',
            exitCode: ExitCode.docker,
          },
        )
      const isIgnored = await loadIgnoreRules(hostWorkspace, settings.exclude)
      const manifest = await copyWorkspace({container, backend, root: hostWorkspace, isIgnored}, 'archive')
      const proxyStarted = proxy ? await proxy : undefined
      throwIfAborted(options.signal)
      log.info({node: task.node.hostname, image, proxied}, 'swarm session open')
      return new DockerSandboxSession({
        id,
        hostWorkspace,
        image,
        settings,
        docker: nodeDocker,
        container,
        volume: '',
        backend,
        manifest,
        store: this.store,
        logger: this.logger,
        ...(this.options.cleanup ? {cleanup: this.options.cleanup} : {}),
        onExit: 'remove',
        removeWith: () => this.removeSession(parts),
        location: task.node.hostname,
        ...(proxyStarted ? {network: proxyStarted} : {}),
      })
    } catch (error) {
      socket?.destroy()
      void proxy?.then((started) => started.stopProxy()).catch(() => undefined)
      await removeAll().catch(() => undefined)
      const failure = openFailure(error, {signal: options.signal, hostWorkspace, settings})
      throw placedOn && !(failure instanceof NodeDownError)
        ? new NodeDownError(`${failure.message} (on node ${placedOn})`, placedOn)
        : failure
    } finally {
      this.options.cleanup?.delete(pending)
    }
  }

  resume(): Promise<never> {
    return Promise.reject(
      new UserInputError('Swarm sessions are never kept', {
        hint: 'Their changes are in the batch output (changes.patch)',
      }),
    )
  }

  discard(idOrPrefix: string): Promise<string> {
    return this.resume().then(() => idOrPrefix)
  }

  /** Sessions (services) whose agent process on this host is gone. */
  async orphans(): Promise<OrphanSession[]> {
    const services = await this.docker.listServices({filters: managedFilter()})
    return services
      .filter((service) => {
        const labels = service.Spec?.Labels ?? {}
        // A session's proxy service belongs to the session's own.
        if (labels[Labels.role] === PROXY_ROLE) return false
        const pid = Number(labels[Labels.ownerPid])
        return labels[Labels.ownerHost] === os.hostname() && pid !== process.pid && !isProcessAlive(pid)
      })
      .map((service) => ({sessionId: service.Spec?.Labels?.[Labels.sessionId] ?? service.ID ?? ''}))
  }

  /**
   * What a killed CLI left on the cluster: services of sessions whose owner process on this host is gone (every
   * session's with `all`), then this tool's networks no remaining service uses. Returns what was removed.
   */
  async prune(options: {all?: boolean; dryRun?: boolean} = {}): Promise<{services: string[]; networks: string[]}> {
    const services = await this.docker.listServices({filters: managedFilter()}).catch((error: unknown) => {
      throw dockerFailure(error, 'list the Swarm services (is DOCKER_HOST a Swarm manager?)')
    })
    const orphans = new Set((await this.orphans()).map((orphan) => orphan.sessionId))
    const doomed = services.filter(
      (service) => options.all || orphans.has(service.Spec?.Labels?.[Labels.sessionId] ?? ''),
    )
    const staying = new Set(
      services
        .filter((service) => !doomed.includes(service))
        .flatMap((service) => service.Spec?.TaskTemplate?.Networks?.map((network) => network.Target) ?? []),
    )
    const networks = (await this.docker.listNetworks({filters: managedFilter()})).filter(
      (network) => !staying.has(network.Id) && !staying.has(network.Name),
    )
    if (!options.dryRun) {
      for (const service of doomed)
        await this.docker
          .getService(service.ID!)
          .remove()
          .catch(() => undefined)
      for (const network of networks)
        await this.removeSession({services: [], networks: [network.Id]}).catch(() => undefined)
    }
    return {
      services: doomed.map((service) => service.Spec?.Name ?? service.ID ?? ''),
      networks: networks.map((n) => n.Name),
    }
  }

  async check(settings: SandboxSettings): Promise<void> {
    refuseUnsupported(settings)
    await this.runnerUser(await this.imageReference(settings.image))
  }

  /** Two sessions per CPU of every ready, active node, within each node's memory. */
  async capacity(settings: SandboxSettings): Promise<number> {
    const nodes = await this.docker.listNodes().catch((error: unknown) => {
      throw dockerFailure(error, 'list the Swarm nodes (is DOCKER_HOST a Swarm manager?)')
    })
    const ready = nodes.filter((node) => node.Status?.State === 'ready' && node.Spec?.Availability === 'active')
    return sessionCapacity(
      ready.map((node) => ({
        cpus: (node.Description?.Resources?.NanoCPUs ?? 1e9) / 1e9,
        memory: node.Description?.Resources?.MemoryBytes ?? 0,
      })),
      settings,
    )
  }

  private async imageReference(image: string | undefined): Promise<string> {
    if (image) return image
    const registry = this.options.registry
    if (!registry)
      throw new UserInputError('The swarm engine needs the registry its nodes pull the sandbox image from', {
        hint: 'Push it with `agent sandbox build --push REGISTRY`, then give --registry REGISTRY (or SANDBOX_AGENT_REGISTRY)',
      })
    return `${registryHost(registry)}/${defaultImageName()}`
  }

  private registryCredentials(): RegistryCredentials | undefined {
    const registry = this.options.registry
    if (!registry) return undefined
    this.login ??= {credentials: registryCredentials(registryHost(registry), this.env)}
    return this.login.credentials
  }

  /** Read from the image's labels in the registry (the nodes pull it; the host need not have it). */
  private async runnerUser(image: string): Promise<RunnerUser> {
    const registry = this.options.registry
    if (!registry) return 'agent'
    const client = registryClient(registry, this.registryCredentials())
    const {repository, tag} = splitReference(image.slice(client.host.length + 1))
    const labels = await registryImageLabels(client, repository, tag).catch((error: unknown) => {
      throw new AgentError(`Could not read ${image} from the registry ${registry}: ${(error as Error).message}`, {
        exitCode: ExitCode.docker,
        hint:
          error instanceof RegistryLoginError
            ? registryLoginHint(client.host, this.env)
            : 'Check --registry, and that this machine reaches it',
      })
    })
    if (!labels)
      throw new AgentError(`The registry ${registry} has no ${image}`, {
        hint: `Push it with \`agent sandbox build --push ${registry}\``,
        exitCode: ExitCode.docker,
      })
    return runnerUserOf(labels)
  }

  /** Waits for the service's task to run; a task that fails or is rejected (no node fits, image missing) says why. */
  private async runningTask(
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<{containerId: string; node: SwarmNode}> {
    const started = Date.now()
    const deadline = started + (this.options.startTimeoutMs ?? 300_000)
    for (;;) {
      throwIfAborted(signal)
      const tasks = (await this.docker.listTasks({filters: {service: [name]}})) as SwarmTask[]
      const task = tasks.sort((a, b) => (b.CreatedAt ?? '').localeCompare(a.CreatedAt ?? ''))[0]
      const state = task?.Status?.State
      const last = `${state ?? 'no task'}${task?.Status?.Err ? `: ${task.Status.Err}` : task?.Status?.Message ? ` (${task.Status.Message})` : ''}`
      if (state === 'running' && task?.Status?.ContainerStatus?.ContainerID && task.NodeID) {
        const node = await this.docker.getNode(task.NodeID).inspect()
        return {
          containerId: task.Status.ContainerStatus.ContainerID,
          node: {
            id: task.NodeID,
            hostname: node.Description?.Hostname ?? task.NodeID,
            addr: node.Status?.Addr ?? '',
            labels: node.Spec?.Labels ?? {},
          },
        }
      }
      // A task placed on a node that died before the manager noticed never starts: say so once the manager knows.
      if (task?.NodeID && Date.now() - started > NODE_CHECK_AFTER_MS) {
        const node = await this.docker.getNode(task.NodeID).inspect()
        if (node.Status?.State !== 'ready') {
          const hostname = node.Description?.Hostname ?? task.NodeID
          throw new NodeDownError(
            `The session's Swarm task was placed on node ${hostname}, which is ${node.Status?.State ?? 'gone'}`,
            hostname,
          )
        }
      }
      if (state && ['failed', 'rejected', 'complete', 'shutdown', 'orphaned'].includes(state))
        throw new AgentError(`The session's Swarm task ${last}`, {exitCode: ExitCode.docker})
      if (Date.now() > deadline)
        throw new AgentError(`The session's Swarm task did not start in time (${last})`, {
          hint: 'Check `docker service ps` on the manager: no node with room, or the image cannot be pulled',
          exitCode: ExitCode.docker,
        })
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }

  /**
   * Removes the services (Swarm stops their tasks wherever they run), then their networks once nothing is attached.
   * Safe to call twice; what is already gone is fine.
   */
  private async removeSession(parts: SessionParts): Promise<void> {
    await Promise.all(
      parts.services.map((service) =>
        service.remove().catch((error: {statusCode?: number}) => {
          if (error.statusCode !== 404) throw error
        }),
      ),
    )
    await Promise.all(parts.networks.map((network) => this.removeNetwork(network)))
  }

  private async removeNetwork(network: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.docker.getNetwork(network).remove()
        return
      } catch (error) {
        const status = (error as {statusCode?: number}).statusCode
        if (status === 404) return
        if (attempt >= 40) throw error
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  }
}

/** What a Swarm session cannot have: refused before the batch starts (check) and by each session (a task's override). */
function refuseUnsupported(settings: SandboxSettings): void {
  // Open network ("bridge") would put the sandbox itself on a network with a way out: only the proxy gets one.
  if (settings.network === 'bridge')
    throw new UserInputError('The swarm engine runs sandboxes with no network or an allow list, not "bridge"', {
      hint: 'List the hosts the tasks need with --allow-host HOST (or sandbox.network.allow), or use --engine docker',
    })
  if (settings.mount)
    throw new UserInputError('sandbox.mount does not work on the swarm engine (the project is on this host)')
}

interface SwarmTask {
  NodeID?: string
  CreatedAt?: string
  Status?: {State?: string; Err?: string; Message?: string; ContainerStatus?: {ContainerID?: string}}
}
