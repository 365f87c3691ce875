// A session's network policy made real: an internal Docker network (no route out) and a proxy container, the only
// thing on it that also sits on a normal network, allowing the listed hosts. Both are created, reused and removed
// with the session.
import fs from 'node:fs'
import type Dockerode from 'dockerode'

import type {AllowRule} from '../../config/network-setting.js'
import {AgentError, ExitCode} from '../../errors.js'
import type {Logger} from '../../logging/logger.js'
import {Labels} from '../labels.js'
import {attachMainProcess, createHelperContainer} from '../lifecycle/helper-container.js'
import {NAME_PREFIX} from '../lifecycle/session-names.js'
import {HostReachableError, ProxyMonitor} from './proxy-monitor.js'

export const PROXY_ROLE = 'network-proxy'
export const NETWORK_ROLE = 'session-network'
/** The proxy's name on the session's network. */
export const PROXY_ALIAS = 'sandbox-proxy'
export const PROXY_PORT = 3128
const PROXY_READY_TIMEOUT_MS = 15_000
/**
 * The bridge driver's option that leaves the host without an address on the network. `internal` alone only stops
 * routing out: the host keeps the gateway address, and any host service listening on 0.0.0.0 (or that address, or
 * any other host address, through the default route to it) is reachable from the sandbox. Docker Engine >= 20.10.
 */
export const NO_HOST_ADDRESS_OPTION = 'com.docker.network.bridge.inhibit_ipv4'

/** The normal network the proxy goes out through; SANDBOX_AGENT_PROXY_NETWORK on the host names another. */
export const DEFAULT_UPSTREAM_NETWORK = 'bridge'

export function sessionNetworkName(sessionId: string): string {
  return `${NAME_PREFIX}${sessionId}-net`
}

export function proxyContainerName(sessionId: string): string {
  return `${NAME_PREFIX}${sessionId}-proxy`
}

/**
 * What every client in the sandbox reads to find the proxy (curl, git, npm, pip, yarn, Node >= 24), and for Node 18
 * to 23, whose fetch ignores the variables, a preload that sends fetch through the proxy (fetch-through-proxy.ts).
 */
export function proxyEnv(): Record<string, string> {
  const url = `http://${PROXY_ALIAS}:${PROXY_PORT}`
  const preload = Buffer.from(`${compiledSource('fetch-through-proxy.js')}\ninstallFetchProxy()\n`).toString('base64')
  const noProxy = 'localhost,127.0.0.1,::1'
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    npm_config_proxy: url,
    npm_config_https_proxy: url,
    YARN_HTTP_PROXY: url,
    YARN_HTTPS_PROXY: url,
    NODE_USE_ENV_PROXY: '1',
    // --import (Node >= 18.18) of a data: URL: nothing needs to be in the image.
    NODE_OPTIONS: `--import=data:text/javascript;base64,${preload}`,
  }
}

export interface ProxyTimeouts {
  connectTimeoutMs: number
  idleTimeoutMs: number
}

export const DEFAULT_PROXY_TIMEOUTS: ProxyTimeouts = {connectTimeoutMs: 10_000, idleTimeoutMs: 120_000}

export interface SessionNetworkInput {
  sessionId: string
  image: string
  rules: AllowRule[]
  /** The session's labels (managed, session id, owner, ...); the network and proxy carry them too. */
  labels: Record<string, string>
  logger: Logger
  upstreamNetwork?: string
  timeouts?: ProxyTimeouts
}

const compiled = new Map<string, string>()

/**
 * The compiled text of a self-contained module of this folder, run in a container (the egress proxy with `node -e`,
 * the fetch preload): from dist/ also when this module runs from src/ in tests.
 */
function compiledSource(file: string): string {
  const cached = compiled.get(file)
  if (cached) return cached
  const here = new URL(`./${file}`, import.meta.url)
  const candidates = [here, new URL(here.href.replace('/src/sandbox/', '/dist/sandbox/'))]
  for (const candidate of candidates) {
    try {
      const text = fs.readFileSync(candidate, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n')
      compiled.set(file, text)
      return text
    } catch {
      // try the next
    }
  }
  throw new AgentError(`The network proxy's ${file} is missing from this installation`, {
    hint: 'Run `npm run build` (or reinstall sandboxed-agent)',
    exitCode: ExitCode.docker,
  })
}

/** The proxy's program for `node --input-type=module -e` (egress-proxy.ts, compiled, then its entry point). */
export function egressProxyProgram(): string {
  return `${compiledSource('egress-proxy.js')}\nmain()\n`
}

/** What a session needs of its network's proxy: the monitor of its requests (for the notes), and a way to stop it. */
export interface SessionProxy {
  readonly monitor: ProxyMonitor | undefined
  stopProxy(): Promise<void>
}

export class SessionNetwork implements SessionProxy {
  private proxy: Dockerode.Container | undefined
  monitor: ProxyMonitor | undefined

  private constructor(
    private readonly docker: Dockerode,
    readonly name: string,
    private readonly addresses: NetworkAddresses,
    private readonly input: SessionNetworkInput,
  ) {}

  /**
   * Creates the session's internal network: no route out, no DNS forwarding for outside names, and no address of
   * the host's on it (so nothing on the host is reachable from the sandbox either).
   */
  static async create(docker: Dockerode, input: SessionNetworkInput): Promise<SessionNetwork> {
    const name = sessionNetworkName(input.sessionId)
    const network = await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      Internal: true,
      EnableIPv6: false,
      CheckDuplicate: true,
      Options: {[NO_HOST_ADDRESS_OPTION]: 'true'},
      Labels: {...input.labels, [Labels.role]: NETWORK_ROLE},
    })
    return new SessionNetwork(docker, name, await addressesOf(network), input)
  }

  /** The network of a session that already exists (reuse). */
  static async existing(docker: Dockerode, input: SessionNetworkInput): Promise<SessionNetwork> {
    const name = sessionNetworkName(input.sessionId)
    return new SessionNetwork(docker, name, await addressesOf(docker.getNetwork(name)), input)
  }

  /**
   * What Docker says is wrong with the network, checked before the session is used: a route out, or a host address
   * on it. (The proxy also checks from inside that nobody answers at the gateway address; see startProxy.)
   */
  async problems(): Promise<string[]> {
    const info = (await this.docker.getNetwork(this.name).inspect()) as {
      Internal?: boolean
      Options?: Record<string, string>
    }
    return [
      ...(info.Internal === true ? [] : [`the session network ${this.name} is not internal`]),
      ...(info.Options?.[NO_HOST_ADDRESS_OPTION] === 'true'
        ? []
        : [`the session network ${this.name} gives the host an address (${NO_HOST_ADDRESS_OPTION} is not set)`]),
    ]
  }

  /**
   * Starts a fresh proxy for the session (any earlier one is removed first): on the internal network under the
   * alias the sandbox's proxy variables name, and on the upstream network; resolves when it listens.
   */
  async startProxy(signal?: AbortSignal): Promise<ProxyMonitor> {
    const {sessionId, image, rules, labels, logger} = this.input
    await removeProxyContainers(this.docker, sessionId)
    const timeouts = this.input.timeouts ?? DEFAULT_PROXY_TIMEOUTS
    const config = {
      rules: rules.map(({host, wildcard, ports}) => ({host, wildcard, ports})),
      port: PROXY_PORT,
      ...this.addresses,
      ...timeouts,
    }
    const container = await createHelperContainer(this.docker, {
      name: proxyContainerName(sessionId),
      image,
      role: PROXY_ROLE,
      labels,
      cmd: ['node', '--input-type=module', '-e', egressProxyProgram()],
      env: [`SANDBOX_PROXY_CONFIG=${JSON.stringify(config)}`],
      network: {name: this.name, aliases: [PROXY_ALIAS]},
      memoryBytes: 256 * 1024 ** 2,
      nanoCpus: 1e9,
    })
    this.proxy = container
    const upstream = this.input.upstreamNetwork ?? DEFAULT_UPSTREAM_NETWORK
    await this.docker.getNetwork(upstream).connect({Container: container.id})
    const stream = await attachMainProcess(container)
    const monitor = new ProxyMonitor(stream, this.docker.modem, logger.child({proxy: sessionId}))
    const ready = monitor.ready(PROXY_READY_TIMEOUT_MS, signal)
    ready.catch(() => undefined)
    await container.start()
    try {
      await ready
    } catch (error) {
      if (error instanceof HostReachableError)
        throw new AgentError(
          `Refusing to open the sandbox: the host is reachable from its network (${error.evidence})`,
          {
            hint: `The Docker engine ignored ${NO_HOST_ADDRESS_OPTION} (it needs Docker Engine 20.10 or later); upgrade it, or set sandbox.network to "none"`,
            exitCode: ExitCode.docker,
            cause: error,
          },
        )
      throw new AgentError(`The sandbox's network proxy did not start: ${(error as Error).message}`, {
        hint: 'The sandbox image needs node; check `agent doctor`, or run with --debug and read the log',
        exitCode: ExitCode.docker,
        cause: error,
      })
    }
    this.monitor = monitor
    return monitor
  }

  /** Stops the proxy (its stdin closes) and waits for the container to stop. */
  async stopProxy(): Promise<void> {
    this.monitor?.stop()
    await this.proxy?.stop({t: 1}).catch(() => undefined)
  }
}

interface NetworkAddresses {
  subnet: string
  /** The address Docker reserves for the host (which, with NO_HOST_ADDRESS_OPTION, it does not take). */
  gateway: string
}

async function addressesOf(network: Dockerode.Network): Promise<NetworkAddresses> {
  const info = (await network.inspect()) as {IPAM?: {Config?: {Subnet?: string; Gateway?: string}[]}}
  const entry = info.IPAM?.Config?.find((config) => config.Subnet && !config.Subnet.includes(':'))
  if (!entry?.Subnet) throw new Error('the session network has no IPv4 subnet')
  return {subnet: entry.Subnet, gateway: entry.Gateway ?? firstAddress(entry.Subnet)}
}

/** The subnet's first host address, where Docker puts the gateway when it does not say. */
function firstAddress(cidr: string): string {
  const parts = (cidr.split('/')[0] ?? '').split('.').map(Number)
  parts[3] = (parts[3] ?? 0) + 1
  return parts.join('.')
}

async function removeProxyContainers(docker: Dockerode, sessionId: string): Promise<void> {
  const proxies = await docker.listContainers({
    all: true,
    filters: {label: [`${Labels.sessionId}=${sessionId}`, `${Labels.role}=${PROXY_ROLE}`]},
  })
  await Promise.all(
    proxies.map((proxy) =>
      docker
        .getContainer(proxy.Id)
        .remove({force: true})
        .catch((error: {statusCode?: number}) => {
          if (error.statusCode !== 404) throw error
        }),
    ),
  )
}

/** Removes a session's proxy container and network (after the session container is gone). Missing parts are fine. */
export async function removeSessionNetwork(docker: Dockerode, sessionId: string): Promise<void> {
  await removeProxyContainers(docker, sessionId)
  const networks = await docker.listNetworks({filters: {label: [`${Labels.sessionId}=${sessionId}`]}})
  for (const network of networks) await removeNetwork(docker, network.Id)
}

/** Removes a network once the endpoints of containers just removed are gone (they can linger for a moment). */
export async function removeNetwork(docker: Dockerode, id: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await docker.getNetwork(id).remove()
      return
    } catch (error) {
      const status = (error as {statusCode?: number}).statusCode
      if (status === 404) return
      if (attempt >= 10) throw error
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
}
