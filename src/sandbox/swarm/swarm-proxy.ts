// A Swarm session's egress proxy: a one-task service on the node of the session's task, on the session's internal
// overlay network (under the alias the sandbox's proxy variables name) and on an overlay network with a way out.
import type {Duplex} from 'node:stream'
import type Dockerode from 'dockerode'

import type {AllowRule} from '../../config/network-setting.js'
import {AgentError, ExitCode} from '../../errors.js'
import type {Logger} from '../../logging/logger.js'
import {Labels} from '../labels.js'
import {AGENT_USER} from '../lifecycle/container-spec.js'
import {attachMainProcess} from '../lifecycle/helper-container.js'
import {
  PROXY_ALIAS,
  PROXY_PORT,
  PROXY_ROLE,
  egressProxyProgram,
  type ProxyTimeouts,
  type SessionProxy,
} from '../network/session-network.js'
import {ProxyMonitor} from '../network/proxy-monitor.js'
import {serviceName, swarmLabels, type ServiceSpecInput} from './service-spec.js'

/** The role label of the overlay network a session's proxy goes out through. */
export const EGRESS_NETWORK_ROLE = 'proxy-egress-network'
const PROXY_READY_TIMEOUT_MS = 15_000

export function proxyServiceName(sessionId: string): string {
  return `${serviceName(sessionId)}-proxy`
}

/**
 * The proxy's way out: an ordinary (not internal) overlay network of the session's own, whose tasks reach outside
 * through their node's docker_gwbridge, as the local proxy does through `bridge`.
 */
export function egressNetworkSpec(
  input: Pick<ServiceSpecInput, 'sessionId' | 'workspace'>,
): Dockerode.NetworkCreateOptions {
  return {
    Name: `${serviceName(input.sessionId)}-egress`,
    Driver: 'overlay',
    Internal: false,
    Attachable: false,
    CheckDuplicate: true,
    Labels: {...swarmLabels(input), [Labels.role]: EGRESS_NETWORK_ROLE},
  }
}

export interface ProxyServiceInput extends Pick<ServiceSpecInput, 'sessionId' | 'workspace' | 'image'> {
  rules: readonly AllowRule[]
  /** The session's internal overlay network and its IPv4 subnet (the proxy listens on its address there only). */
  sessionNetwork: {id: string; subnet: string}
  /** The network it goes out through (id or name). */
  upstream: string
  /** The node the session's task runs on: the proxy shares its fate. */
  nodeId: string
  timeouts: ProxyTimeouts
}

/**
 * The proxy as the local engine runs it (the same program, the agent user, no capability, read-only root, capped
 * memory and processes), started by Swarm: it waits for one line on stdin, sent once the host is attached, so its
 * first events are not lost.
 */
export function proxyServiceSpec(input: ProxyServiceInput): Dockerode.CreateServiceOptions {
  const labels = {...swarmLabels(input), [Labels.role]: PROXY_ROLE}
  const config = {
    rules: input.rules.map(({host, wildcard, ports}) => ({host, wildcard, ports})),
    port: PROXY_PORT,
    subnet: input.sessionNetwork.subnet,
    // An overlay network's gateway address is its own bridge's (see egress-proxy.ts): the node is probed instead.
    gateway: null,
    ...input.timeouts,
  }
  const spec = {
    Name: proxyServiceName(input.sessionId),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: input.image,
        Command: [
          '/bin/sh',
          '-c',
          'read -r _ || exit 0; exec node --input-type=module -e "$1"',
          'sandbox-proxy',
          egressProxyProgram(),
        ],
        User: AGENT_USER,
        Env: [`SANDBOX_PROXY_CONFIG=${JSON.stringify(config)}`],
        Labels: labels,
        TTY: false,
        OpenStdin: true,
        ReadOnly: true,
        Init: true,
        StopGracePeriod: 1_000_000_000,
        CapabilityDrop: ['ALL'],
      },
      Resources: {Limits: {NanoCPUs: 1e9, MemoryBytes: 256 * 1024 ** 2, Pids: 64}},
      RestartPolicy: {Condition: 'none', MaxAttempts: 0},
      Placement: {Constraints: [`node.id==${input.nodeId}`]},
      Networks: [{Target: input.sessionNetwork.id, Aliases: [PROXY_ALIAS]}, {Target: input.upstream}],
      LogDriver: {Name: 'none'},
    },
    Mode: {Replicated: {Replicas: 1}},
    EndpointSpec: {Mode: 'dnsrr'},
  }
  return spec as unknown as Dockerode.CreateServiceOptions
}

/** The host's end of a running proxy task: its events read through the node's engine. */
export class SwarmSessionProxy implements SessionProxy {
  private constructor(readonly monitor: ProxyMonitor) {}

  /** Attaches to the proxy task's container, lets it start, and resolves once it listens. */
  static async attach(
    docker: Dockerode,
    container: Dockerode.Container,
    logger: Logger,
    signal?: AbortSignal,
  ): Promise<SwarmSessionProxy> {
    let stream: Duplex | undefined
    try {
      stream = await attachMainProcess(container)
      const monitor = new ProxyMonitor(stream, docker.modem, logger)
      const ready = monitor.ready(PROXY_READY_TIMEOUT_MS, signal)
      stream.write('\n')
      await ready
      return new SwarmSessionProxy(monitor)
    } catch (error) {
      stream?.destroy()
      throw new AgentError(`The sandbox's network proxy did not start: ${(error as Error).message}`, {
        hint: 'The sandbox image needs node; check `docker service ps` on the manager, or run with --debug and read the log',
        exitCode: ExitCode.docker,
        cause: error,
      })
    }
  }

  /** Closes the proxy's stdin: it exits (its service is removed with the session's). */
  stopProxy(): Promise<void> {
    this.monitor.stop()
    return Promise.resolve()
  }
}

/** The IPv4 subnet Swarm gave an overlay network. */
export async function overlaySubnet(network: Dockerode.Network): Promise<string> {
  const info = (await network.inspect()) as {IPAM?: {Config?: {Subnet?: string}[]}}
  const subnet = info.IPAM?.Config?.find((entry) => entry.Subnet && !entry.Subnet.includes(':'))?.Subnet
  if (!subnet) throw new Error('the session network has no IPv4 subnet')
  return subnet
}
