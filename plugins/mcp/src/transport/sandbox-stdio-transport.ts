// An MCP Transport over a command started inside the sandbox (session.spawn): JSON-RPC lines on its stdin and stdout.
import type {Transport} from '@modelcontextprotocol/sdk/shared/transport.js'
import {ReadBuffer, serializeMessage} from '@modelcontextprotocol/sdk/shared/stdio.js'
import type {JSONRPCMessage} from '@modelcontextprotocol/sdk/types.js'
import type {ExecResult, Logger, SandboxSession, SpawnedProcess} from 'sandboxed-agent/plugin'

/** Longest line (one message) a server may write before it is stopped: more is a flood, not a message. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024
/** Lines that are not MCP messages a server may write to stdout (log lines by mistake) before it is stopped. */
export const MAX_STRAY_LINES = 200
/** What is kept of the server's stderr to explain a failure. */
const STDERR_TAIL_CHARS = 2000

export interface SandboxStdioOptions {
  session: SandboxSession
  /** The command line, already quoted for bash. */
  command: string
  cwd: string
  env: Record<string, string>
  /** The server's name, for log lines. */
  server: string
  log: Logger
}

/**
 * Starts the server in the sandbox when the client starts the transport; messages go out one line per write (sent at
 * once) and come back line by line. A flood (a line over MAX_MESSAGE_BYTES, or more than MAX_STRAY_LINES lines that
 * are not messages) stops the server: `failure` says why. The server's stderr goes to the run's log.
 */
export class SandboxStdioTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void

  private process: SpawnedProcess | undefined
  private readonly stop = new AbortController()
  private readonly buffer = new ReadBuffer({maxBufferSize: MAX_MESSAGE_BYTES})
  private strayLines = 0
  private stderrTail = ''
  private closed = false
  /** Why the transport stopped the server (a flood), when it did. */
  failure: string | undefined
  /** How the server's command ended, once it did. */
  exit: ExecResult | undefined

  constructor(private readonly options: SandboxStdioOptions) {}

  /** The last lines the server wrote on stderr (for an error message). */
  get stderr(): string {
    return this.stderrTail
  }

  async start(): Promise<void> {
    const {session, command, cwd, env} = this.options
    if (!session.spawn) throw new Error('this sandbox cannot keep a command running with its input open')
    this.process = session.spawn(command, {cwd, env, signal: this.stop.signal, maxOutputBytes: 64 * 1024})
    void this.pump(this.process)
  }

  private async pump(process: SpawnedProcess): Promise<void> {
    try {
      for await (const event of process) {
        if (event.type === 'stdout') this.onStdout(event.chunk)
        else if (event.type === 'stderr') this.onStderr(event.chunk)
        else this.exit = event.result
        if (this.failure) break
      }
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)))
    }
    this.exit ??= await process.result
    if (this.exit.error && !this.failure) this.onStderr(Buffer.from(`\n${this.exit.error}\n`))
    this.finish()
  }

  private onStdout(chunk: Buffer): void {
    try {
      this.buffer.append(chunk)
    } catch {
      this.fail(`wrote more than ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB on stdout without a line break`)
      return
    }
    for (;;) {
      let message: JSONRPCMessage | null
      try {
        message = this.buffer.readMessage()
      } catch (error) {
        this.strayLines += 1
        this.options.log.debug({server: this.options.server, err: error}, 'MCP server wrote a line that is no message')
        if (this.strayLines > MAX_STRAY_LINES) {
          this.fail(`wrote more than ${MAX_STRAY_LINES} lines on stdout that are not MCP messages`)
          return
        }
        continue
      }
      if (message === null) return
      this.onmessage?.(message)
    }
  }

  private onStderr(chunk: Buffer): void {
    const text = chunk.toString('utf8')
    this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS)
    this.options.log.info({server: this.options.server, stderr: text.trimEnd()}, 'MCP server stderr')
  }

  private fail(reason: string): void {
    this.failure ??= reason
    this.options.log.warn({server: this.options.server, reason}, 'MCP server stopped')
    this.onerror?.(new Error(reason))
    this.stop.abort()
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    this.buffer.clear()
    this.onclose?.()
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || !this.process) throw new Error('the server is not running')
    this.process.write(Buffer.from(serializeMessage(message)))
  }

  /** Closes the server's stdin and stops it (its whole process group) in the sandbox. */
  async close(): Promise<void> {
    const process = this.process
    if (!process || this.closed) return this.finish()
    process.end()
    this.stop.abort()
    await process.result
    this.finish()
  }
}
