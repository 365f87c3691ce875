// The host end of the runner protocol: many commands and calls multiplexed over one attached container stream.
import {once} from 'node:events'
import type {Duplex} from 'node:stream'

import type {Logger} from '../../logging/logger.js'
import {ExecStream} from '../exec/exec-stream.js'
import {BYPASS_AFTER_BYTES, type BypassOutcome, type BypassReader, type OpenBypass} from '../exec/output-bypass.js'
import type {ExecHandle, ExecOptions, SpawnedProcess} from '../types.js'
import {DockerStreamDemuxer, FrameReader} from './chunk-reader.js'
import {
  FrameType,
  OUTPUT_BYPASS_VERSION,
  decodeControl,
  encodeControl,
  encodeControlParts,
  encodeCredit,
  encodeFrame,
  encodeHeader,
  type ExecRequest,
  type RunnerExit,
} from './protocol.js'

/** Output the runner may send for one command before waiting for the host to consume it. */
const CREDIT_WINDOW = 8 * 1024 * 1024
/** Consumed bytes are acknowledged in batches of this size (fewer frames). */
const CREDIT_BATCH = 256 * 1024
/** Command input (the workspace upload) goes out in frames of about this size. */
const INPUT_FRAME_BYTES = 256 * 1024
/** How long past its own timeout the host waits for the runner to report a command. */
const HOST_TIMEOUT_SLACK_MS = 5000
/** Bypass output held for a slow consumer before its reader is paused. */
const BYPASS_PAUSE_AT_BYTES = 4 * 1024 * 1024
/**
 * After a bypassed command's EXIT, how quiet its reader must be (nothing queued, nothing new) before it is stopped, and
 * how long it may go on past that when processes the command left behind keep printing (as the runner's drain).
 */
const BYPASS_QUIET_MS = 30
const BYPASS_DRAIN_MS = 500

/** Largest output frame the runner sends (it batches up to 256 KiB); anything longer is not the runner's. */
const MAX_OUTPUT_FRAME = 16 * 1024 * 1024
/** Largest control frame (a file's contents, a listing of a huge tree). */
const MAX_CONTROL_FRAME = 1024 * 1024 * 1024
const RUNNER_FRAME_TYPES: ReadonlySet<number> = new Set([
  FrameType.ready,
  FrameType.started,
  FrameType.stdout,
  FrameType.stderr,
  FrameType.exit,
  FrameType.reply,
  FrameType.fail,
  FrameType.switch,
])

/** Why a frame header cannot come from the runner; undefined when it can. */
export function frameProblem(type: number, id: number, length: number): string | undefined {
  if (!RUNNER_FRAME_TYPES.has(type)) return `unknown frame type ${type}`
  if (type === FrameType.ready && id !== 0) return `a ready frame for request ${id}`
  const max = type === FrameType.stdout || type === FrameType.stderr ? MAX_OUTPUT_FRAME : MAX_CONTROL_FRAME
  if (length > max) return `a ${length}-byte frame`
  if (type !== FrameType.stdout && type !== FrameType.stderr && length < 4) return `a ${length}-byte control frame`
  return undefined
}

/** What the container's start command prints when the image has no runner (see RUNNER_COMMAND). */
export const NO_RUNNER = 'sandbox-agent: no runner'

/** The one line a session ends with when bytes that are not the runner's show up in its control stream. */
export const CORRUPTED_STREAM =
  "the sandbox runner's control stream was corrupted (bytes that are not the runner's); the session cannot continue"

export class RunnerGoneError extends Error {
  constructor(message = 'the sandbox container went away') {
    super(message)
    this.name = 'RunnerGoneError'
  }
}

interface PendingCall {
  resolve: (reply: {value: unknown; tail: Buffer}) => void
  reject: (error: Error) => void
}

interface LiveExec {
  stream: ExecStream
  uncredited: number
  cleanup: () => void
  /** Stdout bytes the runner sent that are not consumed yet (later stdout bytes came through the bypass). */
  runnerStdout: number
  bypass?: BypassState
}

/** A command whose stdout the host's own reader has (after SWITCH); the command ends when both it and EXIT are in. */
interface BypassState {
  reader?: BypassReader
  /** Bytes the reader delivered that are not consumed yet. */
  queued: number
  lastData: number
  outcome?: BypassOutcome
  exit?: RunnerExit
  exitAt?: number
  quietTimer?: NodeJS.Timeout
}

export interface RunnerClientOptions {
  logger: Logger
  /** Called once when the stream ends (container stopped, died or the daemon went away). */
  onGone?: () => void
  /** Asked when the stream ends under running commands: was it the memory limit? (docker inspect State.OOMKilled) */
  explainGone?: () => Promise<{oomKilled: boolean}>
  /** Starts the host's reader for a command's stdout (the output bypass); without it the runner sends all output. */
  openBypass?: OpenBypass
}

/** Answers from the runner's `call` operations. */
export interface RunnerCall {
  call<T>(op: string, args?: Record<string, unknown>, tail?: Buffer): Promise<{value: T; tail: Buffer}>
}

export class RunnerClient implements RunnerCall {
  private nextId = 1 + Math.floor(Math.random() * 0x3fffffff)
  private readonly calls = new Map<number, PendingCall>()
  private readonly execs = new Map<number, LiveExec>()
  private readonly frames: FrameReader
  private readonly demuxer: DockerStreamDemuxer
  private gone = false
  private onNoRunner: (() => void) | undefined
  private stderrTail = ''
  /** Set when the control stream carried bytes that are not the runner's: every command and call ends with it. */
  corrupted: string | undefined
  ready = false
  /** The runner's protocol version (from its answer to ping); images built before version 2 lack upload and readEntry. */
  version = 1

  constructor(
    private readonly socket: Duplex,
    private readonly options: RunnerClientOptions,
  ) {
    this.frames = new FrameReader(
      (type, id, payload) => {
        try {
          this.onFrame(type, id, payload)
        } catch (error) {
          this.onCorrupt(`an unreadable frame (${(error as Error).message})`, this.frames.offset)
        }
      },
      new Set([FrameType.stdout, FrameType.stderr]),
      frameProblem,
      (reason, offset) => this.onCorrupt(reason, offset),
    )
    this.demuxer = new DockerStreamDemuxer((stream, chunk) => {
      if (stream === 'stdout') this.frames.push(chunk)
      else this.onDiagnostics(chunk)
    })
    socket.on('data', (chunk: Buffer) => this.demuxer.push(chunk))
    socket.on('end', () => this.markGone())
    socket.on('close', () => this.markGone())
    socket.on('error', (error) => {
      options.logger.debug({err: error}, 'runner stream error')
      this.markGone()
    })
  }

  get isGone(): boolean {
    return this.gone
  }

  /** What the container printed on stderr (the runner's diagnostics, or why it could not start). */
  get diagnostics(): string {
    return this.stderrTail
  }

  /** Resolves when the runner answers a ping (it may still be starting); rejects when the stream ends first. */
  async waitReady(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RunnerGoneError(`the sandbox runner did not answer in ${timeoutMs} ms`)),
        timeoutMs,
      )
      // The image's start command says so at once when there is no runner: no need to wait for the timeout.
      this.onNoRunner = () => reject(new RunnerGoneError('the image has no runner'))
      if (this.stderrTail.includes(NO_RUNNER)) this.onNoRunner()
    })
    try {
      const {value} = await Promise.race([this.call<{version?: number}>('ping'), timeout])
      this.version = value.version ?? 1
      this.ready = true
    } finally {
      clearTimeout(timer)
    }
  }

  call<T>(op: string, args: Record<string, unknown> = {}, tail?: Buffer): Promise<{value: T; tail: Buffer}> {
    if (this.gone) return Promise.reject(new RunnerGoneError())
    const id = this.allocateId()
    return new Promise((resolve, reject) => {
      this.calls.set(id, {resolve: resolve as PendingCall['resolve'], reject})
      this.writeParts(encodeControlParts(FrameType.call, id, {...args, op}, tail))
    })
  }

  exec(command: string, options: ExecOptions = {}): ExecHandle {
    return this.start(command, options, false).stream
  }

  /**
   * Runs a command that reads `input` on its stdin, streamed in frames with backpressure both ways (the runner stops
   * reading while the command is behind). Other requests queue behind the input meanwhile: meant for the workspace
   * upload. A failing input cancels the command and is what `input` rejects with.
   */
  execWithInput(
    command: string,
    input: AsyncIterable<Buffer>,
    options: ExecOptions = {},
  ): {handle: ExecHandle; sent: Promise<void>} {
    const {id, stream: handle} = this.start(command, options, true)
    const sent = (async () => {
      // Pieces are gathered into frames of up to INPUT_FRAME_BYTES: a tar stream comes in 512-byte headers and
      // file-sized bodies, and every frame is a write through the daemon and a wake-up of the runner.
      let pending: Buffer[] = []
      let pendingBytes = 0
      const flush = async (): Promise<void> => {
        if (pendingBytes === 0) return
        const parts = [encodeHeader(FrameType.stdin, id, pendingBytes), ...pending]
        pending = []
        pendingBytes = 0
        if (!this.writeParts(parts)) await this.drained()
      }
      try {
        for await (const chunk of input) {
          if (this.gone || this.execs.get(id) === undefined) return
          if (chunk.length === 0) continue
          pending.push(chunk)
          pendingBytes += chunk.length
          if (pendingBytes >= INPUT_FRAME_BYTES) await flush()
        }
        await flush()
        this.write(encodeFrame(FrameType.stdin, id, Buffer.alloc(0)))
      } catch (error) {
        this.write(encodeFrame(FrameType.cancel, id, Buffer.alloc(0)))
        throw error
      }
    })()
    return {handle, sent}
  }

  /**
   * A command whose stdin stays open: each `write` is one stdin frame, sent at once (an MCP message must not wait for
   * a batch to fill). Only for small, paced input: a command that stops reading while megabytes are sent makes the
   * runner hold every other request behind it (see feedStdin in runner.js).
   */
  spawn(command: string, options: ExecOptions = {}): SpawnedProcess {
    const {id, stream} = this.start(command, {...options, background: false}, true)
    let ended = false
    return Object.assign(stream, {
      write: (data: Buffer): void => {
        if (ended || stream.finished || data.length === 0) return
        this.write(encodeFrame(FrameType.stdin, id, data))
      },
      end: (): void => {
        if (ended || stream.finished) return
        ended = true
        this.write(encodeFrame(FrameType.stdin, id, Buffer.alloc(0)))
      },
    })
  }

  private start(command: string, options: ExecOptions, withInput: boolean): {id: number; stream: ExecStream} {
    const id = this.allocateId()
    const stream = new ExecStream({
      maxOutputBytes: options.maxOutputBytes,
      onConsumed: (bytes, kind) => this.consumed(id, bytes, kind),
    })
    if (options.signal?.aborted) {
      stream.finish({canceled: true, error: 'canceled before it started'})
      return {id, stream}
    }
    if (this.gone) {
      stream.finish({containerGone: true, error: this.corrupted ?? 'the sandbox container is gone'})
      return {id, stream}
    }
    const onAbort = (): void => this.write(encodeFrame(FrameType.cancel, id, Buffer.alloc(0)))
    options.signal?.addEventListener('abort', onAbort, {once: true})
    let hostTimer: NodeJS.Timeout | undefined
    if (options.timeoutMs && options.timeoutMs > 0 && !options.background) {
      hostTimer = setTimeout(() => {
        this.execs.delete(id)
        stream.finish({timedOut: true, error: 'the sandbox runner did not report the command after its timeout'})
      }, options.timeoutMs + HOST_TIMEOUT_SLACK_MS)
      hostTimer.unref()
    }
    const live: LiveExec = {stream, uncredited: 0, runnerStdout: 0, cleanup: () => undefined}
    live.cleanup = (): void => {
      clearTimeout(hostTimer)
      options.signal?.removeEventListener('abort', onAbort)
      if (live.bypass) {
        clearTimeout(live.bypass.quietTimer)
        if (live.bypass.outcome === undefined) live.bypass.reader?.destroy()
      }
    }
    const cleanup = live.cleanup
    this.execs.set(id, live)
    void stream.result.then(cleanup)
    const request: ExecRequest = {
      cmd: command,
      window: CREDIT_WINDOW,
      ...(options.cwd ? {cwd: options.cwd} : {}),
      ...(options.env ? {env: options.env} : {}),
      ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
      ...(options.background ? {background: true} : {}),
      ...(withInput ? {stdin: true} : {}),
      ...(this.options.openBypass && this.version >= OUTPUT_BYPASS_VERSION && !withInput && !options.background
        ? {bypassAfter: BYPASS_AFTER_BYTES}
        : {}),
    }
    this.write(encodeControl(FrameType.exec, id, request))
    return {id, stream}
  }

  /** At once, not after a timeout: nothing after a corruption can be trusted, so the stream is dropped. */
  private onCorrupt(reason: string, offset: number): void {
    if (this.corrupted !== undefined || this.gone) return
    this.corrupted = CORRUPTED_STREAM
    this.options.logger.error({reason, offset}, 'runner control stream corrupted')
    this.socket.destroy()
    this.markGone()
  }

  /** Ends every command and call as "container gone"; the session decides whether it was an OOM or a kill. */
  markGone(): void {
    if (this.gone) return
    this.gone = true
    const corrupted = this.corrupted
    for (const pending of this.calls.values()) pending.reject(new RunnerGoneError(corrupted))
    this.calls.clear()
    const live = [...this.execs.values()]
    this.execs.clear()
    const finishAll = (oomKilled: boolean): void => {
      for (const {stream} of live) {
        stream.finish({
          containerGone: true,
          oomKilled,
          ...(oomKilled ? {signal: 'SIGKILL'} : {}),
          error: oomKilled
            ? 'the sandbox ran out of memory and was killed'
            : (corrupted ?? 'the sandbox container went away'),
        })
      }
    }
    if (live.length > 0 && this.options.explainGone && corrupted === undefined) {
      this.options.explainGone().then(
        (why) => finishAll(why.oomKilled),
        () => finishAll(false),
      )
    } else finishAll(false)
    this.options.onGone?.()
  }

  /** Detaches from the container (it keeps running). */
  detach(): void {
    this.socket.destroy()
    this.markGone()
  }

  private allocateId(): number {
    this.nextId = this.nextId >= 0xfffffff0 ? 1 : this.nextId + 1
    return this.nextId
  }

  private write(frame: Buffer): void {
    if (this.gone) return
    this.socket.write(frame)
  }

  /** Writes a frame's pieces without joining them; false when the socket wants the caller to wait for drain. */
  private writeParts(parts: Buffer[]): boolean {
    if (this.gone) return true
    if (parts.length === 1) return this.socket.write(parts[0]!)
    this.socket.cork()
    let ok = true
    for (const part of parts) ok = this.socket.write(part)
    this.socket.uncork()
    return ok
  }

  private async drained(): Promise<void> {
    if (this.gone) return
    const ac = new AbortController()
    await Promise.race([
      once(this.socket, 'drain', {signal: ac.signal}),
      once(this.socket, 'close', {signal: ac.signal}),
    ])
      .catch(() => undefined)
      .finally(() => ac.abort())
  }

  private consumed(id: number, consumedBytes: number, kind: 'stdout' | 'stderr'): void {
    const live = this.execs.get(id)
    if (!live) return
    let bytes = consumedBytes
    if (kind === 'stdout') {
      // In push order: the runner's stdout bytes first, then the reader's; only the runner's earn it credit.
      bytes = Math.min(consumedBytes, live.runnerStdout)
      live.runnerStdout -= bytes
      const bypass = live.bypass
      if (bypass && consumedBytes > bytes) {
        bypass.queued -= consumedBytes - bytes
        if (bypass.queued < BYPASS_PAUSE_AT_BYTES) bypass.reader?.resume()
      }
    }
    if (bytes === 0) return
    live.uncredited += bytes
    if (live.uncredited >= CREDIT_BATCH) {
      this.write(encodeCredit(id, live.uncredited))
      live.uncredited = 0
    }
  }

  private onDiagnostics(chunk: Buffer): void {
    const text = chunk.toString('utf8')
    this.stderrTail = (this.stderrTail + text).slice(-4096)
    if (this.stderrTail.includes(NO_RUNNER)) this.onNoRunner?.()
    this.options.logger.debug({runner: text.trimEnd()}, 'runner stderr')
  }

  private finishExec(id: number, live: LiveExec, exit: RunnerExit): void {
    this.execs.delete(id)
    live.stream.finish({
      exitCode: exit.exitCode,
      signal: exit.signal,
      timedOut: exit.timedOut,
      canceled: exit.canceled,
      oomKilled: exit.oomKilled,
      backgroundPids: exit.backgroundPids,
      ...(exit.logFile ? {backgroundLog: exit.logFile} : {}),
      ...(exit.error ? {error: exit.error} : {}),
    })
  }

  /**
   * SWITCH: the runner stopped reading the command's stdout after the bytes it sent; a reader of our own delivers the
   * rest, in order after them. The runner hears how the reader ended (BYPASS), and reads stdout again if it failed.
   */
  private startBypass(id: number, live: LiveExec, path: string): void {
    const bypass: BypassState = {queued: 0, lastData: performance.now()}
    live.bypass = bypass
    const open = this.options.openBypass
    const opened = open
      ? open(path, (chunk) => {
          if (live.stream.finished) return
          bypass.queued += chunk.length
          bypass.lastData = performance.now()
          live.stream.pushOutput('stdout', chunk)
          if (bypass.queued >= BYPASS_PAUSE_AT_BYTES) bypass.reader?.pause()
        })
      : Promise.reject(new Error('no bypass reader'))
    opened
      .then((reader) => {
        bypass.reader = reader
        if (live.stream.finished) reader.destroy()
        else if (bypass.queued >= BYPASS_PAUSE_AT_BYTES) reader.pause()
        return reader.done
      })
      .catch((error: Error): BypassOutcome => {
        this.options.logger.debug({err: error}, 'output bypass reader failed')
        return 'failed'
      })
      .then((outcome) => {
        bypass.outcome = outcome
        clearTimeout(bypass.quietTimer)
        this.write(encodeControl(FrameType.bypass, id, {[outcome]: true}))
        if (bypass.exit && this.execs.get(id) === live) this.finishExec(id, live, bypass.exit)
      })
      .catch((error: unknown) => this.options.logger.debug({err: error}, 'output bypass report failed'))
  }

  /**
   * After a bypassed command's EXIT: once the consumer has taken everything the reader delivered and nothing new came
   * for a moment (or, with processes left behind that keep printing, after the drain time), the reader is stopped;
   * what they print later goes to the job's log, as the runner does without the bypass.
   */
  private stopWhenQuiet(live: LiveExec, bypass: BypassState): void {
    clearTimeout(bypass.quietTimer)
    const check = (): void => {
      if (bypass.outcome !== undefined || live.stream.finished) return
      const now = performance.now()
      const caughtUp = bypass.reader !== undefined && bypass.queued <= 0
      const quiet = now - bypass.lastData >= BYPASS_QUIET_MS
      const drained = now - (bypass.exitAt ?? now) >= BYPASS_DRAIN_MS
      if (caughtUp && (quiet || drained)) {
        bypass.reader!.stop()
        return
      }
      bypass.quietTimer = setTimeout(check, BYPASS_QUIET_MS)
    }
    check()
  }

  private onFrame(type: number, id: number, payload: Buffer): void {
    switch (type) {
      case FrameType.stdout:
      case FrameType.stderr: {
        const live = this.execs.get(id)
        if (!live) return
        if (type === FrameType.stdout) live.runnerStdout += payload.length
        live.stream.pushOutput(type === FrameType.stdout ? 'stdout' : 'stderr', payload)
        return
      }
      case FrameType.switch: {
        const live = this.execs.get(id)
        if (live && !live.bypass) this.startBypass(id, live, decodeControl<{path: string}>(payload).value.path)
        return
      }
      case FrameType.started: {
        const live = this.execs.get(id)
        if (live) live.stream.pid = decodeControl<{pid: number}>(payload).value.pid
        return
      }
      case FrameType.exit: {
        const live = this.execs.get(id)
        if (!live) return
        const exit = decodeControl<RunnerExit>(payload).value
        const bypass = live.bypass
        if (bypass && bypass.outcome === undefined) {
          // Its reader still has stdout: the command ends once the reader has delivered what it holds.
          bypass.exit = exit
          bypass.exitAt = performance.now()
          this.stopWhenQuiet(live, bypass)
          return
        }
        this.finishExec(id, live, exit)
        return
      }
      case FrameType.reply:
      case FrameType.fail: {
        const pending = this.calls.get(id)
        if (!pending) return
        this.calls.delete(id)
        const {value, tail} = decodeControl<unknown>(payload)
        if (type === FrameType.reply) pending.resolve({value, tail})
        else {
          const {message, code} = value as {message?: string; code?: string}
          pending.reject(Object.assign(new Error(message ?? 'runner call failed'), code ? {code} : {}))
        }
        return
      }
      case FrameType.ready:
        return
      default:
        this.options.logger.warn({type}, 'unknown runner frame')
    }
  }
}
