// The session's one sandbox: opened in the background at start, waited for by the first message, listed for changes,
// and started afresh by /discard.
import type {ChangeSet, SandboxSession} from '../sandbox/types.js'
import type {ChatOptions} from './chat-options.js'
import type {ChatScreen} from './chat-screen.js'
import type {ChatState} from './chat-state.js'
import {errorMessage} from './chat-errors.js'
import {withInteractiveShell, type TerminalHost} from './interactive-shell.js'
import {withNetworkQuestions, type NetworkQuestions} from './network-questions.js'

export class ChatSandbox {
  private opening: Promise<SandboxSession | undefined> | undefined
  private readonly openAbort = new AbortController()

  constructor(
    private readonly options: ChatOptions,
    private readonly state: ChatState,
    private readonly screen: ChatScreen,
  ) {}

  /** Starts opening the sandbox (again, after `discard`); resolves once it is ready or failed. */
  open(): Promise<SandboxSession | undefined> {
    this.opening = this.start()
    return this.opening
  }

  /** The session once started; the signal (Ctrl-C) stops waiting. */
  async ready(signal?: AbortSignal): Promise<SandboxSession | undefined> {
    const {state, screen} = this
    if (state.session && state.sandboxState === 'ready') return state.session
    if (state.sandboxState === 'failed') {
      screen.note(screen.style.red(`No sandbox: ${state.sandboxError}. Fix the problem and start the session again.`))
      return undefined
    }
    state.activity = 'Starting the sandbox…'
    screen.scheduleRender()
    const aborted = new Promise<undefined>((resolve) => signal?.addEventListener('abort', () => resolve(undefined)))
    try {
      return await Promise.race([this.opening, aborted])
    } finally {
      state.activity = ''
    }
  }

  /** At the end: stops a start still under way, and gives the session if there is one. */
  async settle(): Promise<SandboxSession | undefined> {
    if (this.state.sandboxState === 'starting') this.openAbort.abort(new DOMException('Session ended', 'AbortError'))
    return this.state.session ?? (await this.opening?.catch(() => undefined))
  }

  /**
   * The sandbox as the tools see it: with interactive commands on a pseudo-terminal when the settings say so, and
   * the user asked about each host the allow list refused.
   */
  forTools(session: SandboxSession, host: TerminalHost, questions: NetworkQuestions): SandboxSession {
    const shell = this.options.config.settings.tools.shell.enableInteractiveShell
      ? withInteractiveShell(session, host)
      : session
    return withNetworkQuestions(shell, questions)
  }

  /** Lists the changes and updates the count the status line shows. */
  async refreshChanges(): Promise<ChangeSet | undefined> {
    const {state} = this
    if (!state.session || state.sandboxState !== 'ready') return undefined
    try {
      const changes = await state.session.changes()
      state.changedFiles = changes.changes.length
      return changes
    } catch (error) {
      this.options.logger.warn({err: error}, 'listing changes failed')
      return undefined
    }
  }

  /** The changes, or undefined after saying why there are none to show. */
  async changesOrSay(): Promise<ChangeSet | undefined> {
    this.state.activity = 'Looking at the sandbox…'
    const session = await this.ready()
    if (!session) return undefined
    const changes = await this.refreshChanges()
    if (!changes) return undefined
    if (changes.changes.length === 0) {
      this.screen.note('No changes in the sandbox.')
      return undefined
    }
    return changes
  }

  /** Closes the sandbox and opens a fresh copy of the project. */
  async discard(): Promise<void> {
    const {state} = this
    const old = state.session
    if (!old) return
    state.session = undefined
    state.changedFiles = 0
    state.activity = 'Starting a fresh sandbox…'
    this.options.cleanup.delete(old)
    await old.close()
    await this.open()
  }

  private async start(): Promise<SandboxSession | undefined> {
    const {state, screen} = this
    state.sandboxState = state.session ? 'restarting' : 'starting'
    screen.scheduleRender()
    try {
      const session = await this.options.openSandbox(this.openAbort.signal)
      state.session = session
      // Should the process be killed, the sandbox is stopped and kept: nothing the agent did is lost.
      this.options.cleanup.add(session, 'keep')
      state.sandboxState = 'ready'
      // What the sandbox's tool sources could not do (an MCP server that failed, a tool left out), one line each, as
      // `agent run` says them on stderr: only the log had them.
      for (const notice of this.options.toolSources?.().notices ?? [])
        screen.note(screen.style.yellow(`Warning: ${notice}`))
      screen.scheduleRender()
      return session
    } catch (error) {
      state.sandboxState = 'failed'
      state.sandboxError = errorMessage(error)
      if (!this.openAbort.signal.aborted)
        screen.note(screen.style.red(`The sandbox did not start: ${state.sandboxError}`))
      return undefined
    }
  }
}
