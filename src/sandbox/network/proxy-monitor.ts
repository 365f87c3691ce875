// The host's end of a session's proxy: reads its request events, counts them per host, and syncs with it.
import {PassThrough, type Duplex} from 'node:stream'
import type Dockerode from 'dockerode'

import type {Logger} from '../../logging/logger.js'
import type {HostTraffic, NetworkSummary} from '../types.js'
import type {ProxyEvent, ProxyRequestEvent, ProxyRule} from './egress-proxy.js'

export type {HostTraffic, NetworkSummary} from '../types.js'

const KEPT_EVENTS = 2000

/** The proxy found the host on the session network (it answered at the gateway address): the session must not open. */
export class HostReachableError extends Error {
  constructor(
    readonly address: string,
    readonly evidence: string,
  ) {
    super(`the host is reachable on the session network: ${evidence}`)
    this.name = 'HostReachableError'
  }
}
const SYNC_TIMEOUT_MS = 1000

export class ProxyMonitor {
  private readonly events: ProxyRequestEvent[] = []
  /** Index of events[0] among every event ever seen. */
  private offset = 0
  private readonly hosts = new Map<string, HostTraffic>()
  private syncCounter = 0
  private readonly syncWaiters = new Map<number, () => void>()
  private readyWaiter: {resolve: (address: string) => void; reject: (error: Error) => void} | undefined
  private stopped = false
  private down: string | undefined

  constructor(
    private readonly stream: Duplex,
    modem: Dockerode['modem'],
    private readonly logger: Logger,
  ) {
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    ;(modem as {demuxStream(stream: Duplex, out: PassThrough, err: PassThrough): void}).demuxStream(
      stream,
      stdout,
      stderr,
    )
    let buffered = ''
    stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      let newline: number
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        this.onLine(line)
      }
    })
    stderr.on('data', (chunk: Buffer) =>
      this.logger.warn({proxy: chunk.toString('utf8').slice(0, 2000)}, 'proxy stderr'),
    )
    stream.on('error', () => undefined)
    stream.on('close', () => this.onEnd())
    stream.on('end', () => this.onEnd())
  }

  /** Resolves with the proxy's listening address once it is ready. */
  ready(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the network proxy was not ready within ${timeoutMs} ms`)),
        timeoutMs,
      )
      const abort = (): void => reject(new Error('canceled'))
      signal?.addEventListener('abort', abort, {once: true})
      this.readyWaiter = {
        resolve: (address) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', abort)
          resolve(address)
        },
        reject: (error) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', abort)
          reject(error)
        },
      }
      if (this.down) this.readyWaiter.reject(new Error(this.down))
    })
  }

  /** A position in the event stream; `since(mark)` returns what came after it. */
  mark(): number {
    return this.offset + this.events.length
  }

  since(mark: number): ProxyRequestEvent[] {
    return this.events.slice(Math.max(0, mark - this.offset))
  }

  /** Waits until every event the proxy wrote before now has arrived (bounded: a dead proxy does not block). */
  sync(): Promise<void> {
    if (this.down) return Promise.resolve()
    const n = ++this.syncCounter
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), SYNC_TIMEOUT_MS)
      const finish = (): void => {
        clearTimeout(timer)
        this.syncWaiters.delete(n)
        resolve()
      }
      this.syncWaiters.set(n, finish)
      this.stream.write(`sync ${n}\n`, () => undefined)
    })
  }

  /**
   * Adds rules to the running proxy; resolves once it has them (its stdin is read in order, so the sync answer comes
   * after). Rejects when the proxy is gone.
   */
  async allow(rules: readonly ProxyRule[]): Promise<void> {
    if (this.down) throw new Error(this.down)
    for (const rule of rules) this.stream.write(`allow ${JSON.stringify(rule)}\n`, () => undefined)
    await this.sync()
    if (this.down) throw new Error(this.down)
  }

  /** Why the proxy is gone, when it stopped while the session still ran. */
  get proxyDown(): string | undefined {
    return this.down
  }

  summary(): NetworkSummary {
    return {hosts: Object.fromEntries(this.hosts), ...(this.down ? {proxyDown: this.down} : {})}
  }

  /** Closes the proxy's stdin: it exits. */
  stop(): void {
    this.stopped = true
    this.stream.end()
    this.stream.destroy()
  }

  private onLine(line: string): void {
    let event: ProxyEvent
    try {
      event = JSON.parse(line) as ProxyEvent
    } catch {
      this.logger.warn({line: line.slice(0, 500)}, 'unreadable proxy output')
      return
    }
    if (event.type === 'ready') this.readyWaiter?.resolve(`${event.address}:${event.port}`)
    else if (event.type === 'sync') this.syncWaiters.get(event.n)?.()
    else if (event.type === 'host-reachable') {
      this.down = `the network proxy refused to serve: the host is reachable at ${event.address}`
      this.readyWaiter?.reject(new HostReachableError(event.address, event.evidence))
    } else if (event.type === 'fatal') {
      this.down = `the network proxy failed: ${event.message}`
      this.readyWaiter?.reject(new Error(this.down))
    } else if (event.type === 'request') this.record(event)
  }

  private record(event: ProxyRequestEvent): void {
    this.logger.info(
      {
        network: {
          host: event.host,
          port: event.port,
          method: event.method,
          allowed: event.allowed,
          reason: event.reason,
          error: event.error,
          bytesUp: event.bytesUp,
          bytesDown: event.bytesDown,
          ms: event.ms,
        },
      },
      event.allowed ? 'network request' : 'network request refused',
    )
    this.events.push(event)
    if (this.events.length > KEPT_EVENTS) {
      this.events.shift()
      this.offset += 1
    }
    const key = `${event.host}:${event.port}`
    const traffic = this.hosts.get(key) ?? {allowed: 0, refused: 0, bytesUp: 0, bytesDown: 0}
    if (event.allowed) traffic.allowed += 1
    else traffic.refused += 1
    traffic.bytesUp += event.bytesUp
    traffic.bytesDown += event.bytesDown
    this.hosts.set(key, traffic)
  }

  private onEnd(): void {
    if (this.stopped || this.down) return
    this.down = 'the network proxy stopped'
    this.logger.warn('the network proxy stopped while the session ran')
    this.readyWaiter?.reject(new Error(this.down))
    for (const finish of [...this.syncWaiters.values()]) finish()
  }
}
