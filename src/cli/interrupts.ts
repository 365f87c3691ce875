// Ctrl-C and termination signals during `agent run`: stop the tool call, then the run, then exit; clean up on SIGTERM.
import {ExitCode} from '../errors.js'
import {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'

/**
 * Ctrl-C: the first stops the running tool call (when one runs), the next ends the run, one more removes the sandbox
 * and exits at once. The run signal also stops a sandbox that is still starting. SIGTERM/SIGHUP clean up and exit.
 */
export class Interrupts {
  readonly cleanup = new SessionCleanup()
  private readonly controller = new AbortController()
  private count = 0
  private first: (() => boolean) | undefined
  private readonly handler = () => this.interrupt()
  private readonly uninstall: () => void

  constructor() {
    process.on('SIGINT', this.handler)
    this.uninstall = this.cleanup.installSignalHandlers({signals: ['SIGTERM', 'SIGHUP']})
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
    process.stderr.write('\nRemoving the sandbox and exiting\n')
    void this.cleanup.runAll().finally(() => process.exit(ExitCode.interrupted))
  }

  dispose(): void {
    process.removeListener('SIGINT', this.handler)
    this.uninstall()
  }
}
