// Connects to one MCP server (stdio in the sandbox, or HTTP/SSE from the host) and lists its tools within its timeout.
import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {SSEClientTransport} from '@modelcontextprotocol/sdk/client/sse.js'
import {StreamableHTTPClientTransport} from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type {Transport} from '@modelcontextprotocol/sdk/shared/transport.js'
import type {Tool} from '@modelcontextprotocol/sdk/types.js'
import type {Logger, SandboxSession} from 'sandboxed-agent/plugin'

import {DEFAULT_START_TIMEOUT_MS, type ServerConfig} from './config/server-config.js'
import {expandVariables} from './lib/expand-variables.js'
import {shellQuote} from './lib/shell-quote.js'
import {SandboxStdioTransport} from './transport/sandbox-stdio-transport.js'

export const CLIENT_INFO = {name: 'sandboxed-agent', version: '0.1.0'}
/** How long ending an HTTP server's session may take when the run ends. */
const CLOSE_TIMEOUT_MS = 3000

/** A connected server: its client, its tools as listed, and how to tell why it went away. */
export interface ConnectedServer {
  config: ServerConfig
  client: Client
  tools: Tool[]
  /** Why the server is gone (exited, crashed, flooded), or undefined while it runs. */
  gone(): string | undefined
  close(): Promise<void>
}

export interface ConnectOptions {
  session: SandboxSession
  env: Readonly<Record<string, string | undefined>>
  signal: AbortSignal
  log: Logger
}

/** Thrown with one line saying what went wrong with a server (the caller prefixes its name). */
export class ServerStartError extends Error {}

export async function connectServer(config: ServerConfig, options: ConnectOptions): Promise<ConnectedServer> {
  const timeout = config.entry.timeout ?? DEFAULT_START_TIMEOUT_MS
  const transport = makeTransport(config, options)
  const client = new Client(CLIENT_INFO, {capabilities: {}})
  let closedAt: string | undefined
  const stdio = transport instanceof SandboxStdioTransport ? transport : undefined
  const why = (): string => describeEnd(stdio) ?? 'the connection closed'
  client.onclose = () => {
    closedAt ??= why()
  }
  client.onerror = (error) => options.log.debug({server: config.name, err: error}, 'MCP transport error')
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(timeout)])
  try {
    await client.connect(transport, {signal, timeout})
    const tools: Tool[] = []
    let cursor: string | undefined
    do {
      const page = await client.listTools(cursor ? {cursor} : {}, {signal, timeout})
      tools.push(...page.tools)
      cursor = page.nextCursor
    } while (cursor)
    return {
      config,
      client,
      tools,
      gone: () => closedAt,
      close: async () => {
        // An HTTP server keeps a session for us until told otherwise: end it (bounded), then drop the connection.
        if (transport instanceof StreamableHTTPClientTransport && !closedAt)
          await withTimeout(transport.terminateSession(), CLOSE_TIMEOUT_MS).catch(() => undefined)
        await client.close().catch(() => undefined)
      },
    }
  } catch (error) {
    const detail = (stdio ? closedAt : undefined) ?? startFailure(error, timeout, stdio)
    await client.close().catch(() => undefined)
    throw new ServerStartError(detail)
  }
}

function makeTransport(config: ServerConfig, options: ConnectOptions): Transport {
  const {entry} = config
  const expand = (value: string) => expandVariables(value, options.env)
  const headers = Object.fromEntries(Object.entries(entry.headers ?? {}).map(([key, value]) => [key, expand(value)]))
  if (config.transport === 'http')
    return new StreamableHTTPClientTransport(new URL(entry.httpUrl!), {requestInit: {headers}})
  if (config.transport === 'sse') return new SSEClientTransport(new URL(entry.url!), {requestInit: {headers}})
  const command = `exec ${[entry.command!, ...(entry.args ?? [])].map(shellQuote).join(' ')}`
  return new SandboxStdioTransport({
    session: options.session,
    command,
    cwd: entry.cwd ?? '/workspace',
    env: Object.fromEntries(Object.entries(entry.env ?? {}).map(([key, value]) => [key, expand(value)])),
    server: config.name,
    log: options.log,
  })
}

/** How a stdio server ended, in a few words; undefined while it runs. */
export function describeEnd(stdio: SandboxStdioTransport | undefined): string | undefined {
  if (!stdio) return undefined
  if (stdio.failure) return `stopped: it ${stdio.failure}`
  const exit = stdio.exit
  if (!exit) return undefined
  const how =
    exit.exitCode !== null
      ? `exited with code ${exit.exitCode}`
      : exit.containerGone
        ? 'stopped with the sandbox'
        : exit.signal
          ? `was killed (${exit.signal})`
          : 'exited'
  const last = lastLine(stdio.stderr)
  return last ? `${how}: ${last}` : how
}

function startFailure(error: unknown, timeout: number, stdio: SandboxStdioTransport | undefined): string {
  const ended = describeEnd(stdio)
  if (ended) return ended
  const message = error instanceof Error ? error.message : String(error)
  if (/timed? ?out|timeout|aborted/i.test(message) || (error as {code?: number}).code === -32001)
    return `did not answer within ${timeout} ms (raise its "timeout" in settings if it needs longer)`
  // fetch says only "fetch failed"; why is in its cause (ECONNREFUSED, ENOTFOUND...).
  const cause = (error as {cause?: {code?: unknown; message?: unknown}}).cause
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : ''
  const line = message.split('\n')[0] ?? message
  return why && !line.includes(why) ? `${line} (${why})` : line
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .pop()
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}
