// How long each step of opening a session took (ms), for --debug and benchmarks.
export type OpenTimings = Record<string, number>

export class StepTimer {
  /** Steps one after another: each measured from the end of the one before. */
  readonly timings: OpenTimings = {}
  /** Steps that run side by side: each measured on its own. */
  readonly concurrent: OpenTimings = {}
  private mark = performance.now()

  /** Ends the current sequential step under `name`. */
  step(name: string): void {
    const now = performance.now()
    this.timings[name] = Math.round(now - this.mark)
    this.mark = now
  }

  /** Runs work that overlaps others and records its own duration. */
  async timed<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now()
    try {
      return await work()
    } finally {
      this.concurrent[name] = Math.round(performance.now() - started)
    }
  }
}
