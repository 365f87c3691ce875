// The host end of one command: a live event stream with backpressure (credit) plus one bounded result.
import {execResult} from '../exec-result.js'
import type {ExecEvent, ExecHandle, ExecResult} from '../types.js'
import {BoundedCollector} from './bounded-output.js'

/** Live output held for a consumer that has not started iterating yet; beyond this it is dropped from the live stream. */
const UNCLAIMED_LIMIT = 1024 * 1024

export interface ExecStreamOptions {
  maxOutputBytes?: number
  /**
   * Called with byte counts as live output is consumed or dropped (the producer may send that much more), per stream:
   * each stream's bytes are reported in the order they were pushed.
   */
  onConsumed?: (bytes: number, stream: 'stdout' | 'stderr') => void
}

/** Fields a runner reports; the stream fills in output, duration and defaults. */
export type ExecOutcome = Partial<Omit<ExecResult, 'stdout' | 'stderr' | 'durationMs'>>

export class ExecStream implements ExecHandle {
  readonly result: Promise<ExecResult>
  readonly startedAt = performance.now()
  /** PID of the command's shell inside the container, once known. */
  pid: number | undefined
  private readonly stdout: BoundedCollector
  private readonly stderr: BoundedCollector
  private readonly queue: ExecEvent[] = []
  private queuedBytes = 0
  private claimed = false
  private abandoned = false
  private wake: (() => void) | undefined
  private resolveResult!: (result: ExecResult) => void
  private done = false

  constructor(private readonly options: ExecStreamOptions = {}) {
    this.stdout = new BoundedCollector(options.maxOutputBytes)
    this.stderr = new BoundedCollector(options.maxOutputBytes)
    this.result = new Promise((resolve) => (this.resolveResult = resolve))
  }

  get finished(): boolean {
    return this.done
  }

  pushOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.done || chunk.length === 0) return
    ;(stream === 'stdout' ? this.stdout : this.stderr).push(chunk)
    if (this.abandoned || (!this.claimed && this.queuedBytes + chunk.length > UNCLAIMED_LIMIT)) {
      this.options.onConsumed?.(chunk.length, stream)
      return
    }
    this.queue.push({type: stream, chunk})
    this.queuedBytes += chunk.length
    this.wakeUp()
  }

  /** Ends the command (the first call wins) and resolves `result`. */
  finish(outcome: ExecOutcome): ExecResult {
    if (this.done) return this.lastResult!
    this.done = true
    const result = execResult({
      ...outcome,
      ...(outcome.backgroundLog ? {} : {backgroundLog: undefined}),
      ...(outcome.error ? {} : {error: undefined}),
      durationMs: Math.round(performance.now() - this.startedAt),
      stdout: this.stdout.result(),
      stderr: this.stderr.result(),
    })
    this.lastResult = result
    this.queue.push({type: 'exit', result})
    this.wakeUp()
    this.resolveResult(result)
    return result
  }

  private lastResult: ExecResult | undefined

  private wakeUp(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  [Symbol.asyncIterator](): AsyncIterator<ExecEvent> {
    this.claimed = true
    return {
      next: async (): Promise<IteratorResult<ExecEvent>> => {
        for (;;) {
          const event = this.queue.shift()
          if (event) {
            if (event.type !== 'exit') {
              this.queuedBytes -= event.chunk.length
              this.options.onConsumed?.(event.chunk.length, event.type)
            }
            return {value: event, done: false}
          }
          if (this.done) return {value: undefined, done: true}
          await new Promise<void>((resolve) => (this.wake = resolve))
        }
      },
      return: async (): Promise<IteratorResult<ExecEvent>> => {
        this.abandoned = true
        const dropped = {stdout: 0, stderr: 0}
        for (const event of this.queue.splice(0)) if (event.type !== 'exit') dropped[event.type] += event.chunk.length
        this.queuedBytes = 0
        for (const stream of ['stdout', 'stderr'] as const) {
          if (dropped[stream] > 0) this.options.onConsumed?.(dropped[stream], stream)
        }
        return {value: undefined, done: true}
      },
    }
  }
}
