// Sends Node's built-in fetch through the sandbox's proxy: Node before 24 ignores HTTP(S)_PROXY for fetch.
//
// Self-contained on purpose (Node built-ins only): every node process of an allow-list sandbox loads this file's
// compiled text with NODE_OPTIONS=--import=data:..., so nothing has to be in the image. It costs nothing until the
// first fetch: fetch is wrapped, and on its first call undici's own Agent (Node bundles undici and keeps the global
// dispatcher under a well-known symbol) is replaced by one whose connections are CONNECT tunnels through the proxy.
import http from 'node:http'
import net from 'node:net'
import tls from 'node:tls'

/** Where Node's bundled undici keeps the dispatcher fetch uses. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')

/** What undici asks its connector for (the fields we use). */
export interface ConnectOptions {
  hostname: string
  protocol: string
  port: string | number
  servername?: string | null
}

export type Connector = (options: ConnectOptions, callback: (error: Error | null, socket?: net.Socket) => void) => void

/** The proxy the sandbox's variables name, for https (and http) origins. */
export function proxyFrom(env: NodeJS.ProcessEnv): URL | undefined {
  const text = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy
  if (!text) return undefined
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/** Whether NO_PROXY (comma-separated names, `.suffix` or `*`) lets `hostname` be reached directly. */
export function bypassesProxy(hostname: string, noProxy: string | undefined): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  return (
    (noProxy ?? '')
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      // host:port names a port; an IPv6 address (two colons or more) is left whole.
      .map((entry) => (entry.split(':').length === 2 ? entry.replace(/:\d+$/, '') : entry))
      .filter(Boolean)
      .some(
        (entry) => entry === '*' || host === entry.replace(/^\*?\./, '') || host.endsWith(entry.replace(/^\*?\./, '.')),
      )
  )
}

/** A connector whose sockets are CONNECT tunnels through `proxy` (TLS on top for https origins). */
export function tunnelConnector(proxy: URL, noProxy: string | undefined): Connector {
  return (options, callback) => {
    let answered = false
    const answer = (error: Error | null, socket?: net.Socket): void => {
      if (answered) return
      answered = true
      if (error) socket?.destroy()
      callback(error, error ? undefined : socket)
    }
    const secure = options.protocol === 'https:'
    const port = Number(options.port) || (secure ? 443 : 80)
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1')
    const ready = (socket: net.Socket): void => {
      if (!secure) return answer(null, socket)
      const secured = tls.connect({socket, servername: options.servername || host, ALPNProtocols: ['http/1.1']})
      secured.once('secureConnect', () => answer(null, secured))
      secured.once('error', (error) => answer(error, secured))
    }
    if (bypassesProxy(host, noProxy)) {
      const socket = net.connect({host, port})
      socket.once('connect', () => ready(socket))
      socket.once('error', (error) => answer(error, socket))
      return
    }
    const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`
    const request = http.request({
      host: proxy.hostname,
      port: Number(proxy.port) || 80,
      method: 'CONNECT',
      path: authority,
      headers: {host: authority},
      agent: false,
    })
    request.once('connect', (response: http.IncomingMessage, socket: net.Socket) => {
      if (response.statusCode === 200) return ready(socket)
      const why = response.headers['x-sandbox-refused'] ?? response.statusMessage ?? ''
      answer(new Error(`the sandbox's network proxy refused ${authority}: ${response.statusCode} ${why}`), socket)
    })
    request.once('error', (error) => answer(error))
    request.end()
  }
}

type Fetch = typeof globalThis.fetch

/** Wraps the global fetch so that, from its first call on, it goes through the proxy in `env`. */
export function installFetchProxy(env: NodeJS.ProcessEnv = process.env): void {
  // Node 24 and later read the proxy variables for fetch themselves (NODE_USE_ENV_PROXY=1 is set in the sandbox).
  if (Number(process.versions.node.split('.')[0]) >= 24) return
  const proxy = proxyFrom(env)
  const original: Fetch | undefined = globalThis.fetch
  if (!proxy || typeof original !== 'function') return
  const noProxy = env.NO_PROXY ?? env.no_proxy
  const holder = globalThis as unknown as Record<symbol, unknown>
  let installed: Promise<void> | undefined
  const install = async (): Promise<void> => {
    // Node loads undici on the first fetch; a data: URL loads it without a connection.
    await original('data:,')
      .then((response) => response.arrayBuffer())
      .catch(() => undefined)
    const Agent = (holder[GLOBAL_DISPATCHER] as {constructor?: unknown} | undefined)?.constructor
    if (typeof Agent !== 'function') return
    holder[GLOBAL_DISPATCHER] = new (Agent as new (options: object) => object)({
      connect: tunnelConnector(proxy, noProxy),
    })
  }
  globalThis.fetch = function fetch(input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]) {
    installed ??= install()
    return installed.then(() => original(input, init))
  } as Fetch
}
