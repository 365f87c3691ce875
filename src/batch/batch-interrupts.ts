// Ctrl-C and termination signals during `agent batch`: stop starting tasks, then cancel the running ones, then exit.
import {ExitCode} from '../errors.js'
import {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import type {BatchControl} from './batch-runner.js'

/** How long SIGTERM/SIGHUP leave the cancelled tasks to remove their sandboxes before this does it and exits. */
const TERM_GRACE_MS = 15_000

/**
 * Ctrl-C once: no new task starts; the running ones finish and are recorded. Twice: the running tasks are cancelled
 * (their sandboxes removed; they are not done, so a re-run with the same --out does them). Three times: every sandbox
 * is removed here and the process exits. SIGTERM and SIGHUP cancel at once, as a second Ctrl-C.
 */
export class BatchInterrupts {
  readonly cleanup = new SessionCleanup()
  private readonly stop = new AbortController()
  private readonly cancelRunning = new AbortController()
  private count = 0
  private timer: NodeJS.Timeout | undefined
  private readonly onInt = () => this.interrupt()
  private readonly onTerm = (signal: NodeJS.Signals) => this.terminate(signal)

  constructor(private readonly say: (line: string) => void) {
    process.on('SIGINT', this.onInt)
    process.on('SIGTERM', this.onTerm)
    process.on('SIGHUP', this.onTerm)
  }

  get control(): BatchControl {
    return {stopStarting: this.stop.signal, cancel: this.cancelRunning.signal}
  }

  get interrupted(): boolean {
    return this.stop.signal.aborted
  }

  private interrupt(): void {
    this.count += 1
    if (this.count === 1) {
      this.say('Stopping: no new task starts; the running ones finish (Ctrl-C again to cancel them)')
      this.stop.abort()
      return
    }
    if (this.count === 2) {
      this.say('Cancelling the running tasks: their sandboxes are removed; a re-run with the same --out does them')
      this.cancelRunning.abort(new DOMException('Cancelled by user', 'AbortError'))
      return
    }
    if (this.cleanup.exiting) return
    this.say('Removing every sandbox and exiting')
    void this.cleanup.exitWith('remove', ExitCode.interrupted)
  }

  private terminate(signal: NodeJS.Signals): void {
    if (this.cancelRunning.signal.aborted) return
    this.say(`Received ${signal}: cancelling the running tasks (a re-run with the same --out does them)`)
    this.stop.abort()
    this.cancelRunning.abort(new DOMException(`Received ${signal}`, 'AbortError'))
    this.timer = setTimeout(() => void this.cleanup.exitWith('remove', signal === 'SIGTERM' ? 143 : 129), TERM_GRACE_MS)
    this.timer.unref()
  }

  dispose(): void {
    clearTimeout(this.timer)
    process.off('SIGINT', this.onInt)
    process.off('SIGTERM', this.onTerm)
    process.off('SIGHUP', this.onTerm)
  }
}
