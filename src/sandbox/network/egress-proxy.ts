// The egress proxy that runs in a session's proxy container: HTTP forwarding and CONNECT to allowed hosts, nothing else.
//
// Self-contained on purpose (Node built-ins only, Node >= 18): the engine runs this file's compiled text with
// `node -e` in a container of the sandbox image, so it works unchanged against a remote Docker engine. It speaks to
// the host through its attached streams: one JSON event per line on stdout; on stdin, `sync <n>` lines (answered in
// order, so the host knows every earlier event has arrived) and `allow {rule}` lines (a host the user allowed while
// the session ran); it exits when the host closes stdin.
import dns from 'node:dns/promises'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import readline from 'node:readline'
import type {Duplex} from 'node:stream'

/** An allowed destination as the host sends it (see config/network-setting.ts, which parses the user's entries). */
export interface ProxyRule {
  host: string
  wildcard: boolean
  ports: number[]
}

export type RefusalReason =
  | 'not-allowed'
  | 'port'
  | 'ip-literal'
  | 'ipv6'
  | 'private-address'
  | 'host-mismatch'
  | 'not-proxy-request'
  | 'unresolved'

/** One request through the proxy, reported when it ends. */
export interface ProxyRequestEvent {
  type: 'request'
  method: string
  host: string
  port: number
  allowed: boolean
  reason?: RefusalReason
  /** Words for people: the address a name resolved to, the other Host header, ... */
  detail?: string
  /** An allowed request that failed upstream: connect error or timeout. */
  error?: string
  bytesUp: number
  bytesDown: number
  ms: number
}

export type ProxyEvent =
  | ProxyRequestEvent
  | {type: 'ready'; address: string; port: number}
  /** Sent instead of ready: the host has an address on the session network (seen at `address`). */
  | {type: 'host-reachable'; address: string; evidence: string}
  | {type: 'sync'; n: number}
  | {type: 'fatal'; message: string}

export interface ProxyOptions {
  rules: ProxyRule[]
  connectTimeoutMs: number
  /** A tunnel or response with no bytes either way for this long is cut. */
  idleTimeoutMs: number
  lookup?: (host: string) => Promise<{address: string; family: number}[]>
}

export type Decision = {allowed: true; address: string} | {allowed: false; reason: RefusalReason; detail?: string}

/** What kind of special address `ip` is (loopback, private, ...), or undefined for an ordinary public IPv4 address. */
export function specialAddress(ip: string): string | undefined {
  if (net.isIPv6(ip)) return 'IPv6'
  const parts = ip.split('.').map(Number)
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return 'invalid'
  const [a = 0, b = 0] = parts
  if (ip === '169.254.169.254') return 'metadata'
  if (a === 127) return 'loopback'
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private'
  if (a === 169 && b === 254) return 'link-local'
  if (a === 100 && b >= 64 && b <= 127) return 'shared (carrier-grade NAT)'
  if (a === 0) return 'unspecified'
  if (a >= 224) return 'multicast or reserved'
  if (a === 192 && b === 0 && parts[2] === 0) return 'reserved'
  if (a === 198 && (b === 18 || b === 19)) return 'benchmarking'
  return undefined
}

function ruleFor(rules: readonly ProxyRule[], host: string, port: number): ProxyRule | undefined {
  return rules.find(
    (rule) => rule.ports.includes(port) && (rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host),
  )
}

/** Host names as compared: lower case, without a trailing dot or IPv6 brackets. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1')
}

/**
 * Decides a request by the name the client asked for, never by an address it chose: the name must be allowed (host
 * and port); it is then resolved here, and a name resolving to a loopback, private, link-local or metadata address
 * is refused unless exactly that host is listed. The address returned is the one to connect to (no second lookup).
 */
export async function decide(
  rules: readonly ProxyRule[],
  hostIn: string,
  port: number,
  lookup: NonNullable<ProxyOptions['lookup']>,
): Promise<Decision> {
  const host = normalizeHost(hostIn)
  if (net.isIPv6(host)) return {allowed: false, reason: 'ipv6'}
  const rule = ruleFor(rules, host, port)
  if (!rule) {
    if (net.isIPv4(host) && !rules.some((r) => r.host === host)) return {allowed: false, reason: 'ip-literal'}
    const otherPort = rules.some((r) => (r.wildcard ? host.endsWith(`.${r.host}`) : host === r.host))
    return {allowed: false, reason: otherPort ? 'port' : 'not-allowed'}
  }
  if (net.isIPv4(host)) return {allowed: true, address: host}
  let addresses: {address: string; family: number}[]
  try {
    addresses = await lookup(host)
  } catch (error) {
    return {allowed: false, reason: 'unresolved', detail: (error as NodeJS.ErrnoException).code ?? 'lookup failed'}
  }
  const v4 = addresses.filter((entry) => entry.family === 4)
  if (v4.length === 0) return {allowed: false, reason: addresses.length > 0 ? 'ipv6' : 'unresolved'}
  if (!rule.wildcard) return {allowed: true, address: v4[0]!.address}
  // Every address must be public: a name that also resolves to the LAN could be rebound to it.
  for (const {address} of v4) {
    const kind = specialAddress(address)
    if (kind) return {allowed: false, reason: 'private-address', detail: `${address}, ${kind}`}
  }
  return {allowed: true, address: v4[0]!.address}
}

/** `host:port` from a CONNECT target or Host header (port defaulted), or undefined when it is not one. */
export function parseAuthority(text: string, defaultPort: number): {host: string; port: number} | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/\s@]+)(?::(\d{1,5}))?$/.exec(text.trim())
  if (!match) return undefined
  const port = match[2] === undefined ? defaultPort : Number(match[2])
  if (port < 1 || port > 65_535) return undefined
  return {host: normalizeHost(match[1]!), port}
}

const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

function endToEnd(headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value
  }
  return out
}

const REFUSAL_TEXT: Record<RefusalReason, string> = {
  'not-allowed': 'not in sandbox.network.allow',
  port: 'this port is not in sandbox.network.allow',
  'ip-literal': 'an IP address the sandbox chose; ask for a host name',
  ipv6: 'IPv6 is not supported',
  'private-address': 'resolves to a private address',
  'host-mismatch': 'the Host header names another host',
  'not-proxy-request': 'not a proxy request',
  unresolved: 'the name does not resolve',
}

/** Creates the proxy server (not listening); `emit` receives one event per request when it ends. */
export function createEgressProxy(options: ProxyOptions, emit: (event: ProxyEvent) => void): http.Server {
  const lookup = options.lookup ?? ((host: string) => dns.lookup(host, {all: true, verbatim: true}))
  const server = http.createServer({requireHostHeader: false})

  const report = (
    started: number,
    base: Omit<ProxyRequestEvent, 'type' | 'ms' | 'bytesUp' | 'bytesDown'>,
    bytes: {up: number; down: number},
  ): void => {
    emit({
      type: 'request',
      ...base,
      bytesUp: bytes.up,
      bytesDown: bytes.down,
      ms: Math.round(performance.now() - started),
    })
  }

  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    const started = performance.now()
    const bytes = {up: head.length, down: 0}
    client.on('error', () => undefined)
    const target = parseAuthority(req.url ?? '', 443)
    const refuse = (host: string, port: number, reason: RefusalReason, detail?: string): void => {
      report(started, {method: 'CONNECT', host, port, allowed: false, reason, ...(detail ? {detail} : {})}, bytes)
      const body = `sandbox network: refused ${host}:${port} (${REFUSAL_TEXT[reason]}${detail ? `: ${detail}` : ''})\n`
      client.end(
        `HTTP/1.1 403 Forbidden\r\nX-Sandbox-Refused: ${reason}\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      )
    }
    if (!target) return refuse(String(req.url ?? '').slice(0, 100), 0, 'not-proxy-request')
    const hostHeader = req.headers.host === undefined ? undefined : parseAuthority(req.headers.host, 443)
    if (req.headers.host !== undefined && (hostHeader?.host !== target.host || hostHeader.port !== target.port))
      return refuse(target.host, target.port, 'host-mismatch', String(req.headers.host).slice(0, 100))
    void decide(options.rules, target.host, target.port, lookup).then((decision) => {
      if (!decision.allowed) return refuse(target.host, target.port, decision.reason, decision.detail)
      const upstream = net.connect({host: decision.address, port: target.port})
      let done = false
      const finish = (error?: string): void => {
        if (done) return
        done = true
        report(
          started,
          {method: 'CONNECT', host: target.host, port: target.port, allowed: true, ...(error ? {error} : {})},
          bytes,
        )
        upstream.destroy()
        client.destroy()
      }
      const connectTimer = setTimeout(() => {
        if (!client.writableEnded) client.end('HTTP/1.1 504 Gateway Timeout\r\nConnection: close\r\n\r\n')
        finish(`no connection within ${options.connectTimeoutMs} ms`)
      }, options.connectTimeoutMs)
      upstream.once('connect', () => {
        clearTimeout(connectTimer)
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        if (head.length > 0) upstream.write(head)
        client.on('data', (chunk: Buffer) => (bytes.up += chunk.length))
        upstream.on('data', (chunk: Buffer) => (bytes.down += chunk.length))
        client.pipe(upstream)
        upstream.pipe(client)
        upstream.setTimeout(options.idleTimeoutMs, () => finish(`idle for ${options.idleTimeoutMs} ms`))
        client.on('close', () => finish())
        upstream.on('close', () => finish())
      })
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer)
        if (!done && bytes.down === 0 && !client.writableEnded)
          client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n')
        finish(error.code ?? error.message)
      })
    })
  })

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now()
    const bytes = {up: 0, down: 0}
    let url: URL | undefined
    try {
      url = new URL(req.url ?? '')
    } catch {
      url = undefined
    }
    const refuse = (host: string, port: number, reason: RefusalReason, detail?: string): void => {
      report(
        started,
        {method: req.method ?? 'GET', host, port, allowed: false, reason, ...(detail ? {detail} : {})},
        bytes,
      )
      const body = `sandbox network: refused ${host}:${port} (${REFUSAL_TEXT[reason]}${detail ? `: ${detail}` : ''})\n`
      res.writeHead(403, {'Content-Type': 'text/plain', 'X-Sandbox-Refused': reason, Connection: 'close'})
      res.end(body)
      req.resume()
    }
    if (!url || url.protocol !== 'http:' || !url.hostname) return refuse('(none)', 0, 'not-proxy-request')
    const host = normalizeHost(url.hostname)
    const port = url.port === '' ? 80 : Number(url.port)
    const hostHeader = req.headers.host === undefined ? undefined : parseAuthority(req.headers.host, 80)
    if (hostHeader && (hostHeader.host !== host || hostHeader.port !== port))
      return refuse(host, port, 'host-mismatch', String(req.headers.host).slice(0, 100))
    void decide(options.rules, host, port, lookup).then((decision) => {
      if (!decision.allowed) return refuse(host, port, decision.reason, decision.detail)
      let done = false
      const finish = (error?: string): void => {
        if (done) return
        done = true
        report(started, {method: req.method ?? 'GET', host, port, allowed: true, ...(error ? {error} : {})}, bytes)
      }
      const upstream = http.request({
        host: decision.address,
        port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: {...endToEnd(req.headers), host: url.host},
        setHost: false,
        agent: false,
        timeout: options.connectTimeoutMs,
      })
      upstream.setTimeout(options.idleTimeoutMs, () =>
        upstream.destroy(new Error(`idle for ${options.idleTimeoutMs} ms`)),
      )
      req.on('data', (chunk: Buffer) => (bytes.up += chunk.length))
      req.pipe(upstream)
      upstream.on('response', (response) => {
        res.writeHead(response.statusCode ?? 502, response.statusMessage, endToEnd(response.headers))
        response.on('data', (chunk: Buffer) => (bytes.down += chunk.length))
        response.pipe(res)
        response.on('end', () => finish())
        response.on('error', (error) => finish(error.message))
      })
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (!res.headersSent) {
          res.writeHead(error.message.startsWith('idle') ? 504 : 502, {
            'Content-Type': 'text/plain',
            Connection: 'close',
          })
          res.end(`sandbox network: ${host}:${port} failed upstream: ${error.code ?? error.message}\n`)
        } else res.destroy()
        finish(error.code ?? error.message)
      })
      res.on('close', () => {
        if (!done) upstream.destroy()
        finish(res.writableFinished ? undefined : 'client went away')
      })
    })
  })
  server.on('clientError', (_error, socket: Duplex) => socket.destroy())
  return server
}

/** The first IPv4 address of this machine inside `cidr` (the session's internal network). */
export function addressIn(cidr: string, interfaces = os.networkInterfaces()): string | undefined {
  const [base = '', bitsText = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bitsText))
  const toNumber = (ip: string): number => ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0)
  const network = Math.floor(toNumber(base) / size)
  for (const list of Object.values(interfaces)) {
    for (const entry of list ?? []) {
      if (entry.family === 'IPv4' && Math.floor(toNumber(entry.address) / size) === network) return entry.address
    }
  }
  return undefined
}

/** The IPv4 address's entry in /proc/net/arp (this network namespace's neighbour table): its flags, or undefined. */
export function arpFlags(table: string, address: string): string | undefined {
  for (const line of table.split('\n').slice(1)) {
    const [ip, , flags] = line.trim().split(/\s+/)
    if (ip === address) return flags
  }
  return undefined
}

/**
 * Whether the host has `address` (the session network's gateway) on the session network, judged from inside it:
 * a TCP connection there is accepted or refused, or the address answers ARP (which a host firewall does not stop).
 * Returns the evidence, or undefined when nothing answered within `windowMs` or the kernel found no one there.
 * On a local bridge an owner answers ARP within milliseconds; the window is far above that.
 */
export function hostAnswersAt(address: string, windowMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false
    let poll: NodeJS.Timeout | undefined
    const socket = net.connect({host: address, port: 9})
    const done = (evidence: string | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      clearTimeout(poll)
      socket.destroy()
      resolve(evidence)
    }
    const deadline = setTimeout(() => done(undefined), windowMs)
    socket.on('connect', () => done(`it accepted a TCP connection at ${address}`))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') done(undefined)
      else if (error.code === 'ECONNREFUSED') done(`it refused a TCP connection at ${address}, so it is there`)
    })
    const readTable = (): void => {
      let table: string
      try {
        table = fs.readFileSync('/proc/net/arp', 'utf8')
      } catch (error) {
        done(`the neighbour table cannot be read to check (${(error as Error).message})`)
        return
      }
      // 0x2: a completed entry, an answer from the address's owner.
      if (arpFlags(table, address) === '0x2') done(`it answers ARP for ${address}`)
      else poll = setTimeout(readTable, 10)
    }
    readTable()
  })
}

/** The rules of an `allow {...}` line from the host; anything malformed adds nothing. */
export function runtimeRules(json: string): ProxyRule[] {
  try {
    const rule = JSON.parse(json) as Partial<ProxyRule>
    const ports = Array.isArray(rule.ports) ? rule.ports.filter((port) => Number.isInteger(port)) : []
    if (typeof rule.host !== 'string' || rule.host === '' || ports.length === 0) return []
    return [{host: normalizeHost(rule.host), wildcard: rule.wildcard === true, ports}]
  } catch {
    return []
  }
}

/** How long the proxy listens for the host at the session network's gateway before it reports ready. */
export const HOST_CHECK_WINDOW_MS = 300

/** Entry point in the container: the configuration comes in SANDBOX_PROXY_CONFIG (JSON). */
export function main(): void {
  const write = (event: ProxyEvent): void => void process.stdout.write(`${JSON.stringify(event)}\n`)
  const config = JSON.parse(process.env.SANDBOX_PROXY_CONFIG ?? '{}') as {
    rules: ProxyRule[]
    port: number
    subnet: string
    /**
     * The address Docker reserved for the host on the session network; nobody may answer there. Null on a Swarm
     * overlay network, whose gateway address is held by the network's own bridge in a namespace of its own (never by
     * the node), so something always answers there; the sandbox's self-test probes the node itself instead.
     */
    gateway: string | null
    connectTimeoutMs: number
    idleTimeoutMs: number
  }
  const server = createEgressProxy(config, write)
  const input = readline.createInterface({input: process.stdin})
  input.on('line', (line) => {
    const match = /^sync (\d+)$/.exec(line.trim())
    if (match) write({type: 'sync', n: Number(match[1])})
    // A host the user allowed while the session ran (interactive mode); the next request sees it.
    const allowed = /^allow (\{.*\})$/.exec(line.trim())
    if (allowed) config.rules.push(...runtimeRules(allowed[1]!))
  })
  // The host went away (or dropped the session): nothing may keep running on its behalf.
  input.on('close', () => process.exit(0))
  let tries = 0
  const listen = (): void => {
    const address = addressIn(config.subnet)
    if (!address) {
      if (++tries > 50) {
        write({type: 'fatal', message: `no interface in ${config.subnet}`})
        process.exit(1)
      }
      setTimeout(listen, 20)
      return
    }
    // Fail closed: with the host on the session network, the sandbox could reach the host's services directly.
    const gateway = config.gateway
    void (gateway === null ? Promise.resolve(undefined) : hostAnswersAt(gateway, HOST_CHECK_WINDOW_MS)).then(
      (evidence) => {
        if (evidence) {
          write({type: 'host-reachable', address: gateway ?? '', evidence})
          return
        }
        server.listen(config.port, address, () => write({type: 'ready', address, port: config.port}))
      },
    )
  }
  server.on('error', (error) => {
    write({type: 'fatal', message: error.message})
    process.exit(1)
  })
  listen()
}
