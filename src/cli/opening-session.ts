// A sandbox session handed to the agent loop while it is still opening: the first model turn needs no container, so
// `agent run` sends it while the container starts, and the first tool call waits for the open (`ready`).
import type {
  ApplyOptions,
  ApplyReport,
  ChangeSet,
  DirEntry,
  ExecHandle,
  ExecOptions,
  NetworkSummary,
  SandboxSession,
} from '../sandbox/types.js'

/**
 * Delegates to the session once open; calls made before wait for it. Its id is the one the open was asked to use.
 * No `spawn` (MCP servers need the open session before the first model turn; their runs await it up front) and no
 * `allowHost` (interactive chat only).
 */
export class OpeningSession implements SandboxSession {
  /** The open session, or the open's failure (the run then fails with it, as one line). */
  readonly ready: Promise<SandboxSession>
  private session: SandboxSession | undefined
  private settledYet = false
  private cancelled = false

  constructor(
    readonly id: string,
    readonly hostWorkspace: string,
    opening: Promise<SandboxSession>,
    /** Stops an open still under way (it removes what it made). */
    private readonly cancelOpen: () => void,
  ) {
    this.ready = opening.then(
      (session) => {
        this.settledYet = true
        this.session = session
        return session
      },
      (error: unknown) => {
        this.settledYet = true
        throw error
      },
    )
    this.ready.catch(() => undefined)
  }

  /** True while the container is still being started. */
  get opening(): boolean {
    return !this.settledYet
  }

  /**
   * For the end of a run: with `cancel`, an open still under way is stopped (no tool ran in it, so there is nothing
   * to collect; the engine removes what it made). Then the open session, or undefined when the open was stopped; an
   * open that failed on its own throws its failure.
   */
  async settle(cancel: boolean): Promise<SandboxSession | undefined> {
    if (cancel && this.opening) {
      this.cancelled = true
      this.cancelOpen()
    }
    try {
      return await this.ready
    } catch (error) {
      if (this.cancelled) return undefined
      throw error
    }
  }

  exec(command: string, options?: ExecOptions): ExecHandle {
    if (this.session) return this.session.exec(command, options)
    const handle = this.ready.then((session) => session.exec(command, options))
    const result = handle.then((opened) => opened.result)
    result.catch(() => undefined)
    return {
      result,
      async *[Symbol.asyncIterator]() {
        yield* await handle
      },
    }
  }

  async readFile(path: string): Promise<Buffer> {
    return (await this.ready).readFile(path)
  }

  async writeFile(path: string, data: Buffer | string): Promise<void> {
    return (await this.ready).writeFile(path, data)
  }

  async list(path: string): Promise<DirEntry[]> {
    return (await this.ready).list(path)
  }

  async changes(): Promise<ChangeSet> {
    return (await this.ready).changes()
  }

  async apply(changes: ChangeSet, options?: ApplyOptions): Promise<ApplyReport> {
    return (await this.ready).apply(changes, options)
  }

  async keep(): Promise<void | 'removed'> {
    return (await this.ready).keep()
  }

  async close(): Promise<void> {
    const session = await this.ready.catch(() => undefined)
    await session?.close()
  }

  networkSummary(): NetworkSummary | undefined {
    return this.session?.networkSummary?.()
  }

  lost(): string | undefined {
    return this.session?.lost?.()
  }

  get location(): string | undefined {
    return this.session?.location
  }

  /** Disposes of the open session (removed, or kept/idle as it was opened); nothing when the open failed. */
  async [Symbol.asyncDispose](): Promise<void> {
    const session = await this.ready.catch(() => undefined)
    await session?.[Symbol.asyncDispose]()
  }
}
