// Ctrl-C and termination signals during `agent run`: stop the tool call, then the run, then exit; clean up on SIGTERM.
import {ExitCode} from '../errors.js'
import {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import {describeCleanup} from './describe-cleanup.js'

/**
 * Ctrl-C: the first stops the running tool call (when one runs), the next ends the run, one more removes the sandbox
 * and exits at once. The run signal also stops a sandbox that is still starting. SIGTERM/SIGHUP (a shutdown, a closed
 * terminal) stop the run and keep the sandbox, so no work is lost. Each says, once done, what it did; from then on the
 * run leaves the sessions to it (see `exited`).
 */
export class Interrupts {
  readonly cleanup = new SessionCleanup()
  private readonly controller = new AbortController()
  private count = 0
  private first: (() => boolean) | undefined
  private readonly handler = () => this.interrupt()
  private readonly uninstall: () => void
  /** Never settles: once a signal's cleanup runs, the process ends there, and the run must not go on meanwhile. */
  readonly exited = new Promise<never>(() => undefined)

  constructor() {
    process.on('SIGINT', this.handler)
    this.uninstall = this.cleanup.installSignalHandlers({
      signals: ['SIGTERM', 'SIGHUP'],
      action: 'keep',
      onSignal: () => this.controller.abort(new DOMException('Stopped by a signal', 'AbortError')),
      onCleaned: (signal, reports) => process.stderr.write(describeCleanup(`Received ${signal}`, reports)),
    })
  }

  /** True once a signal took over the sessions (they are its to keep or remove, and its line says which). */
  get exiting(): boolean {
    return this.cleanup.exiting
  }

  get runSignal(): AbortSignal {
    return this.controller.signal
  }

  onFirst(cancelCurrent: () => boolean): void {
    this.first = cancelCurrent
  }

  private interrupt(): void {
    this.count += 1
    if (!this.controller.signal.aborted && this.count === 1 && this.first?.()) {
      process.stderr.write('\nStopping the running command (Ctrl-C again to end the run)\n')
      return
    }
    if (!this.controller.signal.aborted) {
      process.stderr.write('\nEnding the run (Ctrl-C again to exit at once)\n')
      this.controller.abort(new DOMException('Cancelled by user', 'AbortError'))
      return
    }
    if (this.cleanup.exiting) return
    process.stderr.write('\nRemoving the sandbox and exiting\n')
    void this.cleanup.exitWith('remove', ExitCode.interrupted, (reports) => {
      process.stderr.write(describeCleanup('Interrupted', reports, {quietWhenRemoved: true}))
    })
  }

  dispose(): void {
    process.removeListener('SIGINT', this.handler)
    this.uninstall()
  }
}
