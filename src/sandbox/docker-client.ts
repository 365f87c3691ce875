// Which Docker daemon to talk to (DOCKER_HOST, the active docker context, or the local socket), the client for it, and one-line errors when it is not there.
import fs from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import {createHash} from 'node:crypto'
import type Dockerode from 'dockerode'

import {AgentError, DockerUnavailableError} from '../errors.js'
import {Docker} from './load-dockerode.js'

export type Env = Record<string, string | undefined>

/** Where the endpoint came from: the user's environment, a docker context, or the default local socket. */
export type EndpointSource = 'DOCKER_HOST' | 'context' | 'default'

export interface DockerEndpoint {
  /** The daemon address as a URL: unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host. */
  url: string
  protocol: 'unix' | 'npipe' | 'tcp' | 'ssh'
  source: EndpointSource
  /** Name of the docker context when source is 'context'. */
  contextName?: string
  /** TLS is used (tcp with DOCKER_TLS_VERIFY=1, port 2376, or a context's TLS material). */
  tls: boolean
  /** Directory holding ca.pem, cert.pem and key.pem, when TLS material is configured. */
  certPath?: string
  /** Skip server certificate verification (DOCKER_TLS_VERIFY unset with DOCKER_CERT_PATH, or a context's SkipTLSVerify). */
  skipTlsVerify?: boolean
}

/** Facts about the daemon we reached. */
export interface DockerDaemonInfo {
  version: string
  apiVersion: string
  os: string
  arch: string
}

export interface EndpointOptions {
  /** Home directory for ~/.docker and ~/.docker/run/docker.sock (defaults to os.homedir()). */
  homeDir?: string
}

/**
 * Resolves the daemon endpoint as the docker CLI does: DOCKER_HOST wins, then DOCKER_CONTEXT or the config file's
 * currentContext, then the local socket (~/.docker/run/docker.sock when present, else /var/run/docker.sock).
 */
export function describeDockerEndpoint(env: Env = process.env, options: EndpointOptions = {}): DockerEndpoint {
  const home = options.homeDir ?? env.HOME ?? os.homedir()
  const dockerHost = env.DOCKER_HOST?.trim()
  if (dockerHost) return endpointFromHost(dockerHost, 'DOCKER_HOST', env)

  const configDir = env.DOCKER_CONFIG?.trim() || path.join(home, '.docker')
  const contextName = env.DOCKER_CONTEXT?.trim() || readCurrentContext(configDir)
  if (contextName && contextName !== 'default') {
    const context = readContext(configDir, contextName)
    if (context) return context
  }

  const userSocket = path.join(home, '.docker', 'run', 'docker.sock')
  const socket = fs.existsSync(userSocket) ? userSocket : '/var/run/docker.sock'
  return {url: `unix://${socket}`, protocol: 'unix', source: 'default', tls: false}
}

/** A one-line description of the endpoint for people: "unix:///var/run/docker.sock (local socket)". */
export function endpointLabel(endpoint: DockerEndpoint): string {
  const where =
    endpoint.source === 'DOCKER_HOST'
      ? 'from DOCKER_HOST'
      : endpoint.source === 'context'
        ? `docker context "${endpoint.contextName}"`
        : 'local socket'
  return `${endpoint.url} (${where})`
}

/** A dockerode client for the endpoint (resolved from env when not given). Does not connect. */
export function createDockerClient(
  env: Env = process.env,
  endpoint: DockerEndpoint = describeDockerEndpoint(env),
): Dockerode {
  try {
    return new Docker(dockerOptions(endpoint, env))
  } catch (error) {
    // Bad TLS files or a malformed DOCKER_HOST in process.env (docker-modem reads it too) fail here, before any connection.
    throw new DockerUnavailableError(`Cannot set up the Docker client for ${endpoint.url}: ${dockerMessage(error)}`, {
      hint: 'Check DOCKER_HOST, DOCKER_CERT_PATH and DOCKER_TLS_VERIFY',
      cause: error,
    })
  }
}

/** The dockerode options for an endpoint: every field set explicitly so process.env cannot leak into them. */
export function dockerOptions(endpoint: DockerEndpoint, env: Env = process.env): Dockerode.DockerOptions {
  const base: Dockerode.DockerOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
  }
  if (endpoint.protocol === 'unix' || endpoint.protocol === 'npipe') {
    return {...base, socketPath: socketPathOf(endpoint)}
  }
  const url = new URL(endpoint.url)
  if (endpoint.protocol === 'ssh') {
    return {
      ...base,
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || 22,
      username: decodeURIComponent(url.username) || undefined,
      sshOptions: {agent: env.SSH_AUTH_SOCK},
    }
  }
  const options: Dockerode.DockerOptions = {...base, host: url.hostname, port: url.port || (endpoint.tls ? 2376 : 2375)}
  options.protocol = endpoint.tls ? 'https' : 'http'
  if (endpoint.certPath) {
    const read = (name: string): Buffer | undefined => {
      const file = path.join(endpoint.certPath as string, name)
      return fs.existsSync(file) ? fs.readFileSync(file) : undefined
    }
    options.ca = read('ca.pem')
    options.cert = read('cert.pem')
    options.key = read('key.pem')
  }
  if (endpoint.tls && endpoint.skipTlsVerify) {
    // docker-modem has no switch for this; an agent carrying the client certificate and no verification does it.
    const agent = new https.Agent({
      rejectUnauthorized: false,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
    } as https.AgentOptions)
    return {...options, agent} as Dockerode.DockerOptions
  }
  return options
}

/** Asks the daemon for its version; any failure becomes a DockerUnavailableError with one line saying what to do. */
export async function pingDocker(
  docker: Dockerode,
  endpoint: DockerEndpoint,
  options: {timeoutMs?: number} = {},
): Promise<DockerDaemonInfo> {
  const timeoutMs = options.timeoutMs ?? 5000
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT', timeoutMs})), timeoutMs)
  })
  try {
    const version = await Promise.race([docker.version(), timeout])
    return {
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      arch: version.Arch,
    }
  } catch (error) {
    throw toDockerError(error, endpoint)
  } finally {
    clearTimeout(timer)
  }
}

interface ErrorLike {
  code?: string
  errno?: number
  syscall?: string
  statusCode?: number
  message?: string
  reason?: string
  json?: {message?: string} | null
  timeoutMs?: number
}

const connectionCodes: Record<string, string> = {
  ENOENT: 'socket not found',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'no answer',
  ESOCKETTIMEDOUT: 'no answer',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTSOCK: 'not a socket',
  ECONNABORTED: 'connection aborted',
}

/** True when the error means "could not talk to the daemon at all" (as opposed to the daemon refusing a request). */
export function isDockerConnectionError(error: unknown): boolean {
  const e = (error ?? {}) as ErrorLike
  if (e.code && (e.code in connectionCodes || e.code === 'EACCES' || e.code === 'EPERM'))
    return e.statusCode === undefined
  if (
    e.code?.startsWith('ERR_TLS') ||
    e.code?.includes('CERT') ||
    /certificate|SSL routines|handshake/i.test(e.message ?? '')
  )
    return true
  return /socket hang up|All configured authentication methods failed|connect ECONNREFUSED/i.test(e.message ?? '')
}

/** The daemon's own message for a failed API call (dockerode puts it in json.message), else the error's message. */
export function dockerMessage(error: unknown): string {
  const e = (error ?? {}) as ErrorLike
  const fromJson = e.json && typeof e.json === 'object' ? e.json.message : undefined
  const text = fromJson ?? (typeof e.json === 'string' ? e.json : undefined) ?? e.message ?? String(error)
  return (
    String(text)
      .replace(/^\(HTTP code \d+\)\s*[\w ]*-\s*/i, '')
      .split('\n')[0]
      ?.trim() ?? ''
  )
}

/** HTTP status of a failed Docker API call, if it was one. */
export function dockerStatusCode(error: unknown): number | undefined {
  const code = (error as ErrorLike | undefined)?.statusCode
  return typeof code === 'number' ? code : undefined
}

/**
 * Maps an error from dockerode to one the CLI can print in one line. Connection problems (socket missing, refused,
 * permission denied, timeouts, TLS) say what is wrong and how to start or reach the daemon; errors the daemon
 * returned keep its message. AgentErrors pass through unchanged.
 */
export function toDockerError(error: unknown, endpoint: DockerEndpoint): AgentError {
  if (error instanceof AgentError) return error
  const e = (error ?? {}) as ErrorLike
  const where = endpoint.url

  if (!isDockerConnectionError(error)) {
    const status = e.statusCode ? ` (HTTP ${e.statusCode})` : ''
    return new DockerUnavailableError(`Docker at ${where} refused the request${status}: ${dockerMessage(error)}`, {
      cause: error,
    })
  }

  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return new DockerUnavailableError(`Permission denied on the Docker socket ${where}`, {
      hint: 'Add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root',
      cause: error,
    })
  }

  let reason: string
  if (e.code && e.code in connectionCodes) {
    reason = connectionCodes[e.code] as string
    if ((e.code === 'ETIMEDOUT' || e.code === 'ESOCKETTIMEDOUT') && e.timeoutMs)
      reason += ` within ${Math.round(e.timeoutMs / 1000)}s`
  } else if (e.code?.startsWith('ERR_TLS') || /certificate|SSL routines|handshake/i.test(e.message ?? '')) {
    reason = `TLS failed: ${(e.message ?? '').split('\n')[0]}`
  } else {
    reason = (e.message ?? String(error)).split('\n')[0] ?? 'unknown error'
  }
  return new DockerUnavailableError(`Docker daemon is not reachable at ${where} (${reason})`, {
    hint: startHint(endpoint, e.code),
    cause: error,
  })
}

function startHint(endpoint: DockerEndpoint, code: string | undefined): string {
  if (endpoint.source === 'DOCKER_HOST') {
    if (endpoint.protocol === 'unix')
      return 'Start the daemon that should listen there, or unset DOCKER_HOST to use the local socket'
    if (endpoint.tls && code !== 'ECONNREFUSED')
      return 'Check the host, port and DOCKER_CERT_PATH, or unset DOCKER_HOST'
    return 'Start the daemon on that host or fix DOCKER_HOST'
  }
  if (endpoint.source === 'context')
    return `Start the daemon of docker context "${endpoint.contextName}" or switch context (docker context use default)`
  return 'Start it (sudo systemctl start docker, or run dockerd) or set DOCKER_HOST'
}

function endpointFromHost(host: string, source: EndpointSource, env: Env, contextName?: string): DockerEndpoint {
  const withScheme = host.includes('://') ? host : `tcp://${host}`
  const scheme = withScheme.slice(0, withScheme.indexOf('://')).toLowerCase()
  const named = contextName === undefined ? {} : {contextName}
  if (scheme === 'unix' || scheme === 'npipe') {
    const rest = withScheme.slice(scheme.length + 3)
    const fallback = scheme === 'unix' ? '/var/run/docker.sock' : '//./pipe/docker_engine'
    return {url: `${scheme}://${rest || fallback}`, protocol: scheme, source, tls: false, ...named}
  }
  if (scheme === 'ssh') return {url: withScheme, protocol: 'ssh', source, tls: false, ...named}
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') {
    throw new DockerUnavailableError(`${source} has an unsupported address "${host}"`, {
      hint: 'Use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host',
    })
  }
  const url = `tcp://${withScheme.slice(scheme.length + 3)}`
  let port: string
  try {
    port = new URL(url).port
  } catch {
    throw new DockerUnavailableError(`${source} is not a valid address: "${host}"`, {
      hint: 'Use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host',
    })
  }
  const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0'
  const certPath = env.DOCKER_CERT_PATH?.trim() || undefined
  const tls = scheme === 'https' || verify || port === '2376'
  const endpoint: DockerEndpoint = {url, protocol: 'tcp', source, tls, ...named}
  if (tls) {
    const dir = certPath ?? (verify ? path.join(env.HOME ?? os.homedir(), '.docker') : undefined)
    if (dir) endpoint.certPath = dir
    if (!verify && scheme !== 'https') endpoint.skipTlsVerify = true
  }
  return endpoint
}

function readCurrentContext(configDir: string): string | undefined {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8')) as {
      currentContext?: unknown
    }
    return typeof config.currentContext === 'string' && config.currentContext !== '' ? config.currentContext : undefined
  } catch {
    return undefined
  }
}

interface ContextMeta {
  Name?: string
  Endpoints?: {docker?: {Host?: string; SkipTLSVerify?: boolean}}
}

/** Reads ~/.docker/contexts/meta/<sha256(name)>/meta.json, as the docker CLI stores contexts. */
function readContext(configDir: string, name: string): DockerEndpoint | undefined {
  const id = createHash('sha256').update(name).digest('hex')
  let meta: ContextMeta
  try {
    meta = JSON.parse(fs.readFileSync(path.join(configDir, 'contexts', 'meta', id, 'meta.json'), 'utf8')) as ContextMeta
  } catch {
    throw new DockerUnavailableError(`The active docker context "${name}" has no metadata in ${configDir}/contexts`, {
      hint: 'Run docker context use default, or set DOCKER_HOST',
    })
  }
  const host = meta.Endpoints?.docker?.Host
  if (!host) return undefined
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker')
  const hasTls = fs.existsSync(path.join(tlsDir, 'ca.pem')) || fs.existsSync(path.join(tlsDir, 'cert.pem'))
  const endpoint = endpointFromHost(host, 'context', {}, name)
  if (endpoint.protocol === 'tcp' && hasTls) {
    endpoint.tls = true
    endpoint.certPath = tlsDir
  }
  if (meta.Endpoints?.docker?.SkipTLSVerify) endpoint.skipTlsVerify = true
  return endpoint
}

function socketPathOf(endpoint: DockerEndpoint): string {
  return endpoint.url.slice(endpoint.url.indexOf('://') + 3)
}

export interface DockerConnection {
  docker: Dockerode
  endpoint: DockerEndpoint
  daemon: DockerDaemonInfo
}

/** Resolves the endpoint, creates the client and checks the daemon answers: the usual start of a command. */
export async function connectAndPingDocker(
  env: Env = process.env,
  options: {timeoutMs?: number} = {},
): Promise<DockerConnection> {
  const endpoint = describeDockerEndpoint(env)
  const docker = createDockerClient(env, endpoint)
  const daemon = await pingDocker(docker, endpoint, options)
  return {docker, endpoint, daemon}
}
