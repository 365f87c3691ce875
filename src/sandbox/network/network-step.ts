// The network step of opening a session: with an allow list, the internal network first, then the proxy alongside.
import type Dockerode from 'dockerode'

import {allowRules} from '../../config/network-setting.js'
import type {Logger} from '../../logging/logger.js'
import {sessionLabels, type ContainerSpecInput} from '../lifecycle/container-spec.js'
import {
  DEFAULT_PROXY_TIMEOUTS,
  SessionNetwork,
  proxyEnv,
  type ProxyTimeouts,
  type SessionNetworkInput,
} from './session-network.js'

export interface OpenedNetwork {
  network: SessionNetwork
  /** What the session container needs: its network and the proxy variables. */
  attachment: {name: string; env: Record<string, string>}
  /** Settles when the proxy listens (started while the session container is created). */
  proxyReady: Promise<unknown>
}

/** The proxy's timeouts: SANDBOX_AGENT_PROXY_CONNECT_MS and SANDBOX_AGENT_PROXY_IDLE_MS in the CLI's environment. */
export function proxyTimeouts(env: NodeJS.ProcessEnv = process.env): ProxyTimeouts {
  const number = (value: string | undefined, fallback: number): number =>
    value && Number(value) > 0 ? Number(value) : fallback
  return {
    connectTimeoutMs: number(env.SANDBOX_AGENT_PROXY_CONNECT_MS, DEFAULT_PROXY_TIMEOUTS.connectTimeoutMs),
    idleTimeoutMs: number(env.SANDBOX_AGENT_PROXY_IDLE_MS, DEFAULT_PROXY_TIMEOUTS.idleTimeoutMs),
  }
}

/**
 * The proxy's way out and timeouts come from the CLI's own environment only (never a project's .env file):
 * SANDBOX_AGENT_PROXY_NETWORK (default `bridge`), SANDBOX_AGENT_PROXY_IDLE_MS, SANDBOX_AGENT_PROXY_CONNECT_MS.
 */
function networkInput(input: ContainerSpecInput, logger: Logger): SessionNetworkInput | undefined {
  const {network} = input.settings
  if (typeof network === 'string') return undefined
  const env = process.env
  const timeouts = proxyTimeouts(env)
  return {
    sessionId: input.sessionId,
    image: input.image,
    rules: allowRules(network) ?? [],
    labels: sessionLabels(input),
    logger,
    timeouts,
    ...(env.SANDBOX_AGENT_PROXY_NETWORK ? {upstreamNetwork: env.SANDBOX_AGENT_PROXY_NETWORK} : {}),
  }
}

/** Creates the session's network and starts its proxy; undefined when the setting is "none" or "bridge". */
export async function openNetworkStep(
  docker: Dockerode,
  input: ContainerSpecInput,
  logger: Logger,
  signal?: AbortSignal,
): Promise<OpenedNetwork | undefined> {
  const spec = networkInput(input, logger)
  if (!spec) return undefined
  const network = await SessionNetwork.create(docker, spec)
  const proxyReady = network.startProxy(signal)
  proxyReady.catch(() => undefined)
  return {network, attachment: {name: network.name, env: proxyEnv()}, proxyReady}
}

/** For a reused session: the network exists with the container; a fresh proxy is started on it. */
export async function reopenNetworkStep(
  docker: Dockerode,
  input: ContainerSpecInput,
  logger: Logger,
  signal?: AbortSignal,
): Promise<SessionNetwork | undefined> {
  const spec = networkInput(input, logger)
  if (!spec) return undefined
  const network = await SessionNetwork.existing(docker, spec)
  await network.startProxy(signal)
  return network
}
