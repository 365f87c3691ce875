// Never leave a running container behind: open sessions are removed (or stopped and kept) on SIGINT/SIGTERM/SIGHUP,
// and stopped and kept when the process is about to die of an uncaught exception or unhandled rejection. What was
// done to each session is reported back, so the one line the user reads says what really happened.

export interface CleanupTarget {
  readonly id: string
  close(): Promise<void>
  /** Stops and keeps; 'removed' when the target was removed instead (still starting, or already being removed). */
  keep(): Promise<void | 'removed'>
}

/** What the cleanup did to one session. */
export interface CleanupReport {
  id: string
  done: 'removed' | 'kept' | 'failed'
  error?: unknown
}

export interface SignalCleanupOptions {
  signals?: NodeJS.Signals[]
  /** Aborted on the first signal so the running command stops first and the caller can wind down by itself. */
  abort?: AbortController
  /** How long the caller gets after the abort before the sessions are cleaned up here anyway. */
  graceMs?: number
  /** Defaults to process.exit. */
  exit?: (code: number) => void
  /** Called once the cleanup starts (e.g. to tell the user). */
  onSignal?: (signal: NodeJS.Signals) => void
  /** What to do with every session on these signals (default: what each was registered with). */
  action?: 'remove' | 'keep'
  /** Called once the cleanup is done, before exiting, with what was done to each session. */
  onCleaned?: (signal: NodeJS.Signals, reports: readonly CleanupReport[]) => void
}

export interface CrashCleanupOptions {
  /** Tells the user (one line) what went wrong and which sessions were kept; called once, before the cleanup. */
  report?: (error: unknown, kept: readonly string[]) => void
  /** Defaults to process.exit. */
  exit?: (code: number) => void
}

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129}

/** The sessions a process has open, and what to do with each should the process be told to stop. */
export class SessionCleanup {
  private readonly sessions = new Map<CleanupTarget, 'remove' | 'keep'>()
  private running: Promise<CleanupReport[]> | undefined
  private crashHandlers: (() => void) | undefined
  /** True once a signal or a crash decided the process ends here: the caller must leave the sessions to this. */
  exiting = false

  add(session: CleanupTarget, onExit: 'remove' | 'keep' = 'remove'): void {
    this.sessions.set(session, onExit)
  }

  delete(session: CleanupTarget): void {
    this.sessions.delete(session)
  }

  get size(): number {
    return this.sessions.size
  }

  /** Ids of the sessions registered now. */
  ids(): string[] {
    return [...this.sessions.keys()].map((session) => session.id)
  }

  /**
   * Removes or keeps every registered session (once; later calls wait for the first); `override` forces one action.
   * A session stays registered until its own keep or close is done, so one already on its way out is still seen.
   */
  runAll(override?: 'remove' | 'keep'): Promise<CleanupReport[]> {
    this.running ??= (async () => {
      const work = [...this.sessions].map(async ([session, action]): Promise<CleanupReport> => {
        try {
          if ((override ?? action) === 'keep') return {id: session.id, done: (await session.keep()) ?? 'kept'}
          await session.close()
          return {id: session.id, done: 'removed'}
        } catch (error) {
          // An orphan is reported at the next start; the caller tells the user now.
          return {id: session.id, done: 'failed', error}
        }
      })
      const reports = await Promise.all(work)
      this.sessions.clear()
      return reports
    })().finally(() => (this.running = undefined))
    return this.running
  }

  /** Ends the process: every session removed or kept (`action`), `report` told what was done, then `exit(code)`. */
  async exitWith(
    action: 'remove' | 'keep' | undefined,
    code: number,
    report?: (reports: readonly CleanupReport[]) => void,
    exit: (code: number) => void = (c) => process.exit(c),
  ): Promise<void> {
    this.exiting = true
    const reports = await this.runAll(action)
    try {
      report?.(reports)
    } finally {
      exit(code)
    }
  }

  /**
   * Installs signal handlers. The first signal aborts `abort` (when given) and waits `graceMs` for the caller to
   * finish; a second signal, or the end of the grace period, cleans up here and exits. Returns an uninstaller.
   */
  installSignalHandlers(options: SignalCleanupOptions = {}): () => void {
    const signals = options.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP']
    const exit = options.exit ?? ((code: number) => process.exit(code))
    let count = 0
    let timer: NodeJS.Timeout | undefined
    let finishing = false
    const finish = async (signal: NodeJS.Signals): Promise<void> => {
      clearTimeout(timer)
      if (finishing) return
      finishing = true
      options.onSignal?.(signal)
      await this.exitWith(
        options.action,
        EXIT_CODES[signal] ?? 1,
        (reports) => options.onCleaned?.(signal, reports),
        exit,
      )
    }
    const handler = (signal: NodeJS.Signals): void => {
      count += 1
      if (finishing) return
      if (count === 1 && options.abort && !options.abort.signal.aborted) {
        options.abort.abort(new Error(`received ${signal}`))
        timer = setTimeout(() => void finish(signal), options.graceMs ?? 5000)
        timer.unref()
        return
      }
      void finish(signal)
    }
    for (const signal of signals) process.on(signal, handler)
    return () => {
      clearTimeout(timer)
      for (const signal of signals) process.off(signal, handler)
    }
  }

  /**
   * On an uncaught exception or unhandled rejection (a bug), stops and keeps every open session, so no container keeps
   * running and no work is lost, then exits with code 1. Installed once per instance; returns an uninstaller.
   */
  installCrashHandlers(options: CrashCleanupOptions = {}): () => void {
    if (this.crashHandlers) return this.crashHandlers
    const exit = options.exit ?? ((code: number) => process.exit(code))
    let crashed = false
    const handler = (error: unknown): void => {
      if (crashed) return
      crashed = true
      this.exiting = true
      try {
        options.report?.(error, this.ids())
      } finally {
        void this.runAll('keep').finally(() => exit(1))
      }
    }
    process.on('uncaughtException', handler)
    process.on('unhandledRejection', handler)
    this.crashHandlers = () => {
      process.off('uncaughtException', handler)
      process.off('unhandledRejection', handler)
      this.crashHandlers = undefined
    }
    return this.crashHandlers
  }
}
