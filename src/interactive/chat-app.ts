// The interactive session: a prompt, the agent loop run per message in one sandbox for the whole conversation,
// approvals, slash commands, Ctrl-C/Ctrl-D handling, and hand-over of the keyboard to interactive commands.
import {StringDecoder} from 'node:string_decoder'

import {
  APPROVAL_MODES,
  createApprovals,
  parseApprovalMode,
  type ApprovalAnswer,
  type ApprovalMode,
  type ApprovalRequest,
  type SwitchableApprovals,
} from '../agent/approvals.js'
import type {ModelClient, ModelMessage} from '../agent/model-client.js'
import {runAgent} from '../agent/run-agent.js'
import type {AuthProvider, AuthRegistry} from '../auth/index.js'
import type {AgentConfig} from '../config/index.js'
import {isAgentError} from '../errors.js'
import type {Logger} from '../logging/logger.js'
import {renderApplyReport, renderChangeDiff, renderChangeSummary} from '../sandbox/changes/render-changes.js'
import type {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import type {ChangeSet, SandboxSession} from '../sandbox/types.js'
import type {RegisteredTool, ToolDefinition} from '../tools/types.js'
import {appendHistory} from './history-file.js'
import {withInteractiveShell, type LiveTerminal, type TerminalHost} from './interactive-shell.js'
import {KeyDecoder, type Key} from './keys.js'
import {LineEditor, layoutEditor, type PromptHistory} from './line-editor.js'
import {LiveRegion, type LiveFrame} from './live-region.js'
import {SLASH_COMMANDS, completeCommand, parseSlash} from './slash-commands.js'
import {createStyle, type Style} from './style.js'
import {statusLine} from './status-line.js'
import {showControls, stripAnsi, truncate} from '../output/terminal-text.js'
import {Transcript} from './transcript.js'
import {ChoiceWidget, QuestionWidget, type Choice, type Widget} from './widgets.js'

/** The terminal: a TTY read stream (raw mode) and a TTY write stream (size, resize events). */
export interface ChatTerminal {
  input: NodeJS.ReadableStream & {setRawMode?(raw: boolean): unknown; isTTY?: boolean}
  output: NodeJS.WritableStream & {columns?: number; rows?: number; on(event: 'resize', listener: () => void): unknown}
}

export interface ChatOptions {
  terminal: ChatTerminal
  config: AgentConfig
  /** Every registered tool (for /tools) and the ones enabled by the settings (given to the model). */
  registered: readonly RegisteredTool[]
  tools: readonly ToolDefinition<unknown>[]
  auth: AuthRegistry
  /** Opens the session's sandbox (started at once, in the background, while the user types). */
  openSandbox(signal: AbortSignal): Promise<SandboxSession>
  cleanup: SessionCleanup
  logger: Logger
  maxTurns: number
  history: PromptHistory
  historyFile?: string
  color: boolean
  version?: string
}

const QUIT = Symbol('quit')
const DOUBLE_PRESS_MS = 2000
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const ALT_SCREEN_ON = '\u001B[?1049h'
const ALT_SCREEN_OFF = '\u001B[?1049l'
const PASTE_ON = '\u001B[?2004h'
const PASTE_OFF = '\u001B[?2004l'
const SHOW_CURSOR = '\u001B[?25h'
const CLEAR_SCREEN = '\u001B[2J\u001B[3J\u001B[H'

type SandboxState = 'starting' | 'ready' | 'failed' | 'restarting' | 'closed'

/** Runs the session until the user quits; resolves with the exit code. */
export async function runChat(options: ChatOptions): Promise<number> {
  return new ChatApp(options).run()
}

class ChatApp implements TerminalHost {
  private readonly style: Style
  private readonly region: LiveRegion
  private readonly transcript: Transcript
  private readonly editor: LineEditor
  private readonly keys = new KeyDecoder()
  private readonly utf8 = new StringDecoder('utf8')
  private readonly approvals: SwitchableApprovals
  private readonly startedAt = Date.now()
  private readonly write: (text: string) => void

  private state: 'idle' | 'busy' = 'busy'
  private activity = ''
  private widget: Widget | undefined
  private promptDone: ((line: string | typeof QUIT) => void) | undefined
  private turn: AbortController | undefined
  private cancelling = false
  private quitRequested = false
  private lastInterrupt = 0
  private notice: {text: string; until: number} | undefined
  private pending = ''
  private renderTimer: NodeJS.Timeout | undefined
  private spinnerTimer: NodeJS.Timeout | undefined
  private escapeTimer: NodeJS.Timeout | undefined
  private frameIndex = 0

  private session: SandboxSession | undefined
  private sandboxState: SandboxState = 'starting'
  private sandboxError = ''
  private opening: Promise<SandboxSession | undefined> | undefined
  private openAbort = new AbortController()
  private changedFiles = 0

  private baseModel: ModelClient | undefined
  private modelName: string | undefined
  private providerId: string | undefined
  private conversation: ModelMessage[] = []
  private prompts = 0

  private terminal: LiveTerminal | undefined
  private focused = false
  private rawAtLineStart = true
  /** The focused command's last unfinished line (a REPL prompt), shown again when it gets the keyboard back. */
  private rawTail = ''
  private held = ''
  private uninstall: (() => void)[] = []

  constructor(private readonly options: ChatOptions) {
    const {terminal, config} = options
    this.write = (text: string) => void terminal.output.write(text)
    this.style = createStyle(options.color)
    this.region = new LiveRegion(this.write, terminal.output.columns ?? 80, terminal.output.rows ?? 24)
    this.editor = new LineEditor(options.history)
    const displayNames = new Map(options.tools.map((tool) => [tool.name, tool.displayName ?? tool.name]))
    this.transcript = new Transcript({
      style: this.style,
      displayNames,
      // NO_COLOR (or a dumb terminal) wins: no colours at all, the command's included.
      showColor: config.settings.tools.shell.showColor && options.color,
      print: (text) => this.print(text),
    })
    this.approvals = createApprovals({
      mode: config.approvalMode,
      prompter: {ask: (request, signal) => this.askApproval(request, signal)},
    })
  }

  async run(): Promise<number> {
    this.startTerminal()
    try {
      this.banner()
      this.opening = this.openSandbox()
      await this.chooseInitialModel()
      for (;;) {
        if (this.quitRequested) break
        const line = await this.readLine()
        if (line === QUIT) break
        if ((await this.submit(line)) === 'quit') break
      }
      return await this.quit()
    } finally {
      this.stopTerminal()
    }
  }

  // ---- terminal ------------------------------------------------------------------------------------------------

  private startTerminal(): void {
    const {input, output} = this.options.terminal
    input.setRawMode?.(true)
    const onData = (data: Buffer | string) => this.onData(typeof data === 'string' ? Buffer.from(data) : data)
    input.on('data', onData)
    input.resume()
    const onResize = () => this.onResize()
    output.on('resize', onResize)
    const onSigint = () => this.interrupt()
    process.on('SIGINT', onSigint)
    this.uninstall.push(
      () => input.removeListener('data', onData),
      () => (output as NodeJS.EventEmitter).removeListener('resize', onResize),
      () => process.removeListener('SIGINT', onSigint),
    )
    // On SIGTERM/SIGHUP the sandbox is kept (nothing lost), and the terminal restored before exiting.
    this.uninstall.push(
      this.options.cleanup.installSignalHandlers({
        signals: ['SIGTERM', 'SIGHUP'],
        onSignal: () => this.restoreTerminal(),
      }),
    )
    // Whatever else writes to stderr meanwhile (a warning from a plugin or the sandbox) becomes a line of the
    // conversation instead of tearing through the live lines.
    const stderr = process.stderr
    const original = stderr.write.bind(stderr)
    stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      if (text.trim() !== '') this.note(this.style.dim(text.replace(/\n+$/, '')))
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
      callback?.()
      return true
    }) as typeof stderr.write
    this.uninstall.push(() => {
      stderr.write = original
    })
    // A terminal that went away (window closed) must not crash the process before the sandbox is kept.
    const ignore = () => undefined
    output.on('error', ignore)
    this.uninstall.push(() => (output as NodeJS.EventEmitter).removeListener('error', ignore))
    this.write(PASTE_ON)
    this.spinnerTimer = setInterval(() => {
      if (this.state !== 'busy' || this.focused) return
      this.frameIndex = (this.frameIndex + 1) % SPINNER.length
      this.scheduleRender()
    }, 120)
  }

  private restoreTerminal(): void {
    try {
      this.write(`${PASTE_OFF}${SHOW_CURSOR}`)
      this.options.terminal.input.setRawMode?.(false)
    } catch {
      // the terminal is gone
    }
  }

  private stopTerminal(): void {
    clearInterval(this.spinnerTimer)
    clearTimeout(this.renderTimer)
    clearTimeout(this.escapeTimer)
    this.flush()
    this.region.clear()
    for (const undo of this.uninstall.splice(0)) undo()
    this.restoreTerminal()
    this.options.terminal.input.pause()
  }

  private onResize(): void {
    const {columns = 80, rows = 24} = this.options.terminal.output
    this.terminal?.resize(columns, rows)
    if (this.focused) return
    this.flush()
    this.region.resize(columns, rows)
  }

  private onData(data: Buffer): void {
    try {
      if (this.focused && this.terminal) {
        const at = data.indexOf(0x06)
        if (at === -1) return this.terminal.write(data)
        if (at > 0) this.terminal.write(data.subarray(0, at))
        this.unfocus()
        data = data.subarray(at + 1)
        if (data.length === 0) return
      }
      clearTimeout(this.escapeTimer)
      for (const key of this.keys.push(this.utf8.write(data))) this.onKey(key)
      if (this.keys.waiting) {
        this.escapeTimer = setTimeout(() => {
          for (const key of this.keys.flush()) this.onKey(key)
        }, 50)
      }
    } catch (error) {
      this.options.logger.error({err: error}, 'key handling failed')
      this.note(this.style.red(`Internal error: ${message(error)}`))
    }
  }

  private onKey(key: Key): void {
    // "Twice" means two Ctrl-C in a row: any other key in between starts the count again.
    if (key.type !== 'key' || key.name !== 'ctrl+c') this.lastInterrupt = 0
    if (key.type === 'key') {
      if (key.name === 'ctrl+c') return this.interrupt()
      if (key.name === 'shift+tab' && !(this.widget instanceof ChoiceWidget)) return this.cycleMode()
      if (key.name === 'ctrl+f' && this.terminal && !this.focused) return this.focus()
      if (key.name === 'escape' && this.state === 'busy' && !this.widget && this.turn) return this.cancelTurn()
    }
    if (this.widget) {
      this.widget.key(key)
      return this.scheduleRender()
    }
    if (this.state === 'idle') this.editorKey(key)
  }

  private editorKey(key: Key): void {
    if (key.type === 'key' && key.name === 'ctrl+d') {
      if (this.editor.text === '') return this.promptDone?.(QUIT)
      this.editor.handle({type: 'key', name: 'delete'})
      return this.scheduleRender()
    }
    if (key.type === 'key' && key.name === 'tab' && /^\/\S*$/.test(this.editor.text)) {
      const matches = completeCommand(this.editor.text)
      if (matches.length === 1) this.editor.set(`/${matches[0]} `)
      else if (matches.length > 1) this.setNotice(matches.map((name) => `/${name}`).join('  '))
      return this.scheduleRender()
    }
    if (this.editor.handle(key) === 'submit') {
      const text = this.editor.text
      if (text.trim() === '') return
      this.editor.history.add(text)
      if (this.options.historyFile)
        void appendHistory(this.options.historyFile, text, this.editor.history.all as string[])
      this.editor.clear()
      this.notice = undefined
      this.promptDone?.(text)
      return
    }
    this.scheduleRender()
  }

  /** Ctrl-C: clears the prompt, cancels what runs, or (pressed twice) quits. */
  private interrupt(): void {
    const now = Date.now()
    const twice = now - this.lastInterrupt < DOUBLE_PRESS_MS
    this.lastInterrupt = now
    if (this.widget?.interrupt?.()) return this.scheduleRender()
    if (this.state === 'busy') {
      if (this.turn && !this.cancelling) {
        this.cancelTurn()
        this.setNotice('Cancelling. Press Ctrl-C again to quit.')
      } else if (twice) {
        this.quitRequested = true
        this.turn?.abort(new DOMException('Cancelled by user', 'AbortError'))
        this.setNotice('Quitting after the cancel completes…')
      }
      return this.scheduleRender()
    }
    if (this.editor.text !== '') {
      this.editor.clear()
      this.lastInterrupt = 0
      return this.scheduleRender()
    }
    if (twice) return this.promptDone?.(QUIT)
    this.setNotice('Press Ctrl-C again to quit (or Ctrl-D).')
    this.scheduleRender()
  }

  private cancelTurn(): void {
    if (!this.turn || this.cancelling) return
    this.cancelling = true
    this.turn.abort(new DOMException('Cancelled by user', 'AbortError'))
    this.scheduleRender()
  }

  private cycleMode(): void {
    const modes = APPROVAL_MODES
    const next = modes[(modes.indexOf(this.approvals.mode) + 1) % modes.length] as ApprovalMode
    this.setMode(next)
  }

  private setMode(mode: ApprovalMode): void {
    this.approvals.setMode(mode)
    const what: Record<ApprovalMode, string> = {
      default: 'asks before each shell command and edit',
      'auto-edit': 'edits run without asking; shell commands are asked about',
      yolo: 'nothing is asked (the sandbox is still the boundary)',
    }
    this.setNotice(`Approval mode: ${mode} (${what[mode]})`)
    this.scheduleRender()
  }

  // ---- drawing -------------------------------------------------------------------------------------------------

  private print(text: string): void {
    if (this.focused) {
      this.held += text
      return
    }
    this.pending += text
    this.scheduleRender()
  }

  private note(text: string): void {
    this.transcript.note(text)
  }

  private setNotice(text: string, ms = 4000): void {
    this.notice = {text, until: Date.now() + ms}
  }

  private scheduleRender(): void {
    if (this.renderTimer || this.focused) return
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined
      this.flush()
    }, 16)
  }

  /** Writes what waits to be printed and redraws the live lines, now. */
  private flush(): void {
    clearTimeout(this.renderTimer)
    this.renderTimer = undefined
    if (this.focused) return
    const frame = this.frame()
    if (this.pending !== '') {
      const text = this.pending
      this.pending = ''
      this.region.print(text, frame)
    } else {
      this.region.render(frame)
    }
  }

  private frame(): LiveFrame {
    const width = this.region.width
    const {dim, yellow, cyan} = this.style
    const lines: string[] = [...this.transcript.partialLines(width)]
    let cursor: LiveFrame['cursor']
    if (this.state === 'busy' && this.activityText()) {
      lines.push(`${cyan(SPINNER[this.frameIndex] as string)} ${this.activityText()}`)
    }
    if (this.widget) {
      const view = this.widget.view(width)
      if (view.cursor) cursor = {row: lines.length + view.cursor.row, col: view.cursor.col}
      lines.push(...view.lines)
    } else if (this.state === 'idle') {
      const layout = layoutEditor(this.editor.text, this.editor.cursor, width, `${cyan('>')} `, '  ')
      cursor = {row: lines.length + layout.cursorRow, col: layout.cursorCol}
      const rows = [...layout.rows]
      if (this.editor.text === '') rows[0] = `${rows[0]}${dim('Type a message, / for commands, ↑ for history')}`
      lines.push(...rows)
    }
    if (this.notice && this.notice.until > Date.now()) lines.push(yellow(this.notice.text))
    else this.notice = undefined
    lines.push(this.statusLine(width))
    return cursor ? {lines, cursor} : {lines}
  }

  private activityText(): string {
    const {dim} = this.style
    if (this.cancelling) return 'Cancelling…'
    const tool = this.transcript.tool
    if (tool && this.transcript.phase === 'tool' && !this.widget) {
      const seconds = Math.floor((Date.now() - tool.startedAt) / 1000)
      const hints = ['ctrl-c cancel']
      if (tool.terminal && this.terminal)
        hints.unshift(this.transcript.fullScreen ? 'ctrl+f to show it' : 'ctrl+f to type into it')
      const what = truncate(tool.description, 40)
      return `Running ${what} ${dim(`· ${seconds}s · ${hints.join(' · ')}`)}`
    }
    if (this.widget) return ''
    if (this.activity) return this.activity
    if (this.transcript.phase === 'thinking') return `Thinking… ${dim('· ctrl-c cancel')}`
    if (this.transcript.phase === 'responding') return `Writing… ${dim('· ctrl-c cancel')}`
    return ''
  }

  private statusLine(width: number): string {
    const {red, green} = this.style
    const ready = this.sandboxState === 'ready' && this.session !== undefined
    return statusLine(
      {
        model: this.modelName ?? this.baseModel?.model ?? red('no model: /auth'),
        ...(ready && this.session ? {sandboxId: this.session.id.slice(0, 8)} : {}),
        sandboxState: ready
          ? green('ready')
          : this.sandboxState === 'failed'
            ? red('failed (see above)')
            : this.sandboxState,
        sandboxReady: ready,
        changedFiles: this.changedFiles,
        tokens: formatCount(this.transcript.usage.inputTokens + this.transcript.usage.outputTokens),
        mode: this.approvals.mode,
      },
      width,
      this.style,
    )
  }

  private banner(): void {
    const {bold, dim} = this.style
    const {config} = this.options
    const lines = [
      `${bold('sandbox-agent')}${this.options.version ? dim(` ${this.options.version}`) : ''} ${dim('· interactive session')}`,
      dim(`Working on a sandbox copy of ${config.projectRoot}; your files change only on /apply.`),
      dim('/help commands · Ctrl-C cancels · Ctrl-D quits'),
    ]
    this.print(`${lines.join('\n')}\n`)
  }

  // ---- asking --------------------------------------------------------------------------------------------------

  private readLine(): Promise<string | typeof QUIT> {
    this.state = 'idle'
    this.activity = ''
    this.scheduleRender()
    return new Promise((resolve) => {
      this.promptDone = (line) => {
        this.promptDone = undefined
        this.state = 'busy'
        resolve(line)
      }
    })
  }

  /** Shows a widget until it answers (or the signal aborts, which rejects). */
  private ask<T>(make: (done: (value: T) => void) => Widget, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error)
      const onAbort = () => {
        if (this.widget === widget) this.widget = undefined
        this.scheduleRender()
        reject(signal?.reason as Error)
      }
      const widget = make((value) => {
        signal?.removeEventListener('abort', onAbort)
        if (this.widget === widget) this.widget = undefined
        this.scheduleRender()
        resolve(value)
      })
      signal?.addEventListener('abort', onAbort, {once: true})
      this.widget = widget
      this.scheduleRender()
    })
  }

  private choose<T>(
    title: string,
    choices: Choice<T>[],
    options: {signal?: AbortSignal; escapeValue?: T; interruptValue?: T} = {},
  ): Promise<T> {
    return this.ask((done) => new ChoiceWidget(this.style, title, choices, done, options), options.signal)
  }

  private question(text: string, signal?: AbortSignal): Promise<string> {
    return this.ask((done) => new QuestionWidget(this.style, text, done), signal)
  }

  private async askApproval(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
    const {red, green, dim} = this.style
    const where = request.actsOn === 'host' ? ' ON THE HOST' : ' in the sandbox'
    // What the model asked for, shown as it is: escape sequences in it must not act on the terminal.
    const scope = showControls(request.alwaysScope)
    const title =
      request.command !== undefined
        ? `Run this command${where}?`
        : `Allow ${request.toolName}${where}? ${showControls(request.description)}`
    const outcome = await this.choose<ApprovalAnswer['outcome']>(
      title,
      [
        {key: 'y', label: 'Yes, once', value: 'allow_once'},
        {key: 'a', label: `Yes, and don't ask again for ${scope}`, value: 'allow_always_prefix'},
        {key: 'n', label: 'No, and tell the agent why', value: 'deny'},
      ],
      {signal, escapeValue: 'deny'},
    )
    if (outcome === 'allow_once') {
      this.note(`  ${green('✓')} ${dim('allowed once')}`)
      return {outcome}
    }
    if (outcome === 'allow_always_prefix') {
      this.note(`  ${green('✓')} ${dim(`allowed; not asking again for ${scope}`)}`)
      return {outcome}
    }
    const reason = await this.question('Why not? The agent reads this (Enter to skip, Esc for none):', signal)
    this.note(`  ${red('✗')} ${dim(reason ? `denied: ${reason}` : 'denied')}`)
    return reason ? {outcome, reason} : {outcome}
  }

  // ---- the sandbox ---------------------------------------------------------------------------------------------

  private async openSandbox(): Promise<SandboxSession | undefined> {
    this.sandboxState = this.session ? 'restarting' : 'starting'
    this.scheduleRender()
    try {
      const session = await this.options.openSandbox(this.openAbort.signal)
      this.session = session
      // Should the process be killed, the sandbox is stopped and kept: nothing the agent did is lost.
      this.options.cleanup.add(session, 'keep')
      this.sandboxState = 'ready'
      this.scheduleRender()
      return session
    } catch (error) {
      this.sandboxState = 'failed'
      this.sandboxError = message(error)
      if (!this.openAbort.signal.aborted) this.note(this.style.red(`The sandbox did not start: ${this.sandboxError}`))
      return undefined
    }
  }

  /** The session once started; Ctrl-C (the signal) stops waiting. */
  private async sandbox(signal?: AbortSignal): Promise<SandboxSession | undefined> {
    if (this.session && this.sandboxState === 'ready') return this.session
    if (this.sandboxState === 'failed') {
      this.note(this.style.red(`No sandbox: ${this.sandboxError}. Fix the problem and start the session again.`))
      return undefined
    }
    this.activity = 'Starting the sandbox…'
    this.scheduleRender()
    const aborted = new Promise<undefined>((resolve) => signal?.addEventListener('abort', () => resolve(undefined)))
    try {
      return await Promise.race([this.opening, aborted])
    } finally {
      this.activity = ''
    }
  }

  private toolSession(session: SandboxSession): SandboxSession {
    return this.options.config.settings.tools.shell.enableInteractiveShell
      ? withInteractiveShell(session, this)
      : session
  }

  private async refreshChanges(): Promise<ChangeSet | undefined> {
    if (!this.session || this.sandboxState !== 'ready') return undefined
    try {
      const changes = await this.session.changes()
      this.changedFiles = changes.changes.length
      return changes
    } catch (error) {
      this.options.logger.warn({err: error}, 'listing changes failed')
      return undefined
    }
  }

  // ---- TerminalHost: interactive commands ----------------------------------------------------------------------

  size(): {cols: number; rows: number} {
    const {columns = 80, rows = 24} = this.options.terminal.output
    return {cols: columns, rows}
  }

  started(terminal: LiveTerminal): void {
    this.terminal = terminal
    this.rawTail = ''
    this.transcript.terminalStarted()
    this.scheduleRender()
  }

  output(_terminal: LiveTerminal, chunk: Buffer): void {
    if (this.focused) {
      const text = chunk.toString('utf8')
      this.write(text)
      this.rawAtLineStart = chunk.at(-1) === 0x0a
      const at = text.lastIndexOf('\n')
      this.rawTail = at === -1 ? this.rawTail + text : text.slice(at + 1)
    }
    this.transcript.terminalOutput(chunk, !this.focused)
    this.scheduleRender()
  }

  ended(terminal: LiveTerminal): void {
    if (this.terminal !== terminal) return
    if (this.focused) this.unfocus()
    this.terminal = undefined
    this.scheduleRender()
  }

  /** Ctrl+F: the keyboard and the screen go to the running command until Ctrl+F again (or until it ends). */
  private focus(): void {
    const terminal = this.terminal
    if (!terminal) return
    this.flush()
    const full = this.transcript.fullScreen
    const partial = full ? '' : this.transcript.partialOutput() || stripAnsi(this.rawTail)
    this.region.clear()
    this.focused = true
    terminal.userTookOver()
    // A full-screen program gets a screen of its own, so leaving it (Ctrl+F) brings the conversation back intact.
    let out = full ? `${ALT_SCREEN_ON}\u001B[H\u001B[2J` : ''
    out += `${this.style.dim('── the keyboard goes to the command; Ctrl+F gives it back ──')}\r\n`
    if (partial) out += partial
    this.rawAtLineStart = !partial
    this.rawTail = partial
    this.write(out + SHOW_CURSOR)
    this.transcript.terminalReleased()
    if (this.transcript.fullScreen) {
      // A size change makes full-screen programs redraw everything.
      const {cols, rows} = this.size()
      terminal.resize(cols, Math.max(1, rows - 1))
      setTimeout(() => terminal.resize(cols, rows), 60).unref()
    }
  }

  private unfocus(): void {
    if (!this.focused) return
    this.focused = false
    let out = ''
    if (this.transcript.fullScreen) out += ALT_SCREEN_OFF
    else if (!this.rawAtLineStart) out += '\r\n'
    this.write(out)
    this.region.detach()
    this.transcript.terminalReleased()
    const held = this.held
    this.held = ''
    if (held) this.print(held)
    this.flush()
  }

  // ---- messages and commands -----------------------------------------------------------------------------------

  private async submit(line: string): Promise<'quit' | undefined> {
    const parsed = parseSlash(line)
    try {
      if (parsed.kind === 'message') {
        await this.runTurn(parsed.text)
        return undefined
      }
      this.transcript.userMessage(line.trim())
      if (parsed.kind === 'unknown') {
        const hint = parsed.suggestion ? ` Did you mean /${parsed.suggestion}?` : ' /help lists the commands.'
        this.note(this.style.yellow(`Unknown command /${parsed.typed}.${hint}`))
        return undefined
      }
      return await this.command(parsed.name, parsed.args)
    } catch (error) {
      if (isAbort(error)) {
        this.note(this.style.yellow('Cancelled.'))
        return undefined
      }
      this.options.logger.warn({err: error}, 'interactive command failed')
      this.note(this.style.red(`Error: ${message(error)}`))
      return undefined
    } finally {
      this.turn = undefined
      this.cancelling = false
      this.activity = ''
    }
  }

  private async runTurn(text: string): Promise<void> {
    this.transcript.userMessage(text)
    this.prompts += 1
    const model = this.model()
    if (!model) {
      this.note(this.style.yellow('No model to talk to yet: choose an authentication method with /auth.'))
      return
    }
    const controller = new AbortController()
    this.turn = controller
    const session = await this.sandbox(controller.signal)
    if (!session) {
      if (controller.signal.aborted) this.note(this.style.yellow('Cancelled.'))
      return
    }
    const run = runAgent({
      model,
      tools: this.options.tools,
      session: this.toolSession(session),
      approvals: this.approvals,
      signal: controller.signal,
      maxTurns: this.options.maxTurns,
      prompt: text,
      logger: this.options.logger,
      cwd: this.options.config.projectRoot,
      conversation: this.conversation,
    })
    let usedTools = false
    for await (const event of run) {
      if (event.type === 'tool_call_started') usedTools = true
      this.transcript.handle(event)
      this.scheduleRender()
    }
    this.turn = undefined
    this.cancelling = false
    if (usedTools) await this.refreshChanges()
  }

  private async command(name: string, args: string): Promise<'quit' | undefined> {
    const {dim, bold, yellow, green} = this.style
    switch (name) {
      case 'help':
        this.help()
        return undefined
      case 'quit':
        return 'quit'
      case 'auth':
        await this.chooseAuth(args)
        return undefined
      case 'model': {
        if (args === '') {
          const current = this.modelName ?? this.baseModel?.model
          this.note(
            current
              ? `Model: ${bold(current)}${this.providerId ? dim(` (via ${this.providerId})`) : ''}. /model <name> switches.`
              : 'No model yet: /auth chooses how to connect to one.',
          )
          return undefined
        }
        if (!this.baseModel) {
          this.note(yellow('Choose an authentication method first: /auth.'))
          return undefined
        }
        this.modelName = args
        this.note(`Model: ${bold(args)} from the next message on.`)
        return undefined
      }
      case 'tools': {
        const enabled = new Set(this.options.tools.map((tool) => tool.name))
        const lines = this.options.registered.map(({definition, source}) => {
          const state = enabled.has(definition.name) ? green('on ') : dim('off')
          const where = definition.actsOn === 'host' ? yellow(' host') : ''
          return `  ${state} ${bold(definition.name)} ${dim(`${definition.kind}${source === 'core' ? '' : ` · ${source}`}`)}${where}`
        })
        this.note(`Tools (settings tools.core / tools.exclude choose which are on):\n${lines.join('\n')}`)
        return undefined
      }
      case 'approval-mode': {
        if (args !== '') {
          this.setMode(parseApprovalMode(args))
          this.note(`Approval mode: ${bold(args)}`)
          return undefined
        }
        const mode = await this.choose<ApprovalMode | undefined>(
          `Approval mode (now ${this.approvals.mode}):`,
          [
            {key: 'd', label: 'default: ask before shell commands and edits', value: 'default'},
            {key: 'e', label: 'auto-edit: edits without asking, ask before shell commands', value: 'auto-edit'},
            {key: 'y', label: 'yolo: never ask (the sandbox is still the boundary)', value: 'yolo'},
          ],
          {escapeValue: undefined, interruptValue: undefined},
        )
        if (mode) {
          this.setMode(mode)
          this.note(`Approval mode: ${bold(mode)}`)
        }
        return undefined
      }
      case 'diff': {
        const changes = await this.changesOrSay()
        if (!changes) return undefined
        this.note(`${renderChangeSummary(changes).trimEnd()}\n${this.colorDiff(renderChangeDiff(changes))}`)
        return undefined
      }
      case 'apply': {
        const changes = await this.changesOrSay()
        if (!changes || !this.session) return undefined
        this.activity = 'Applying…'
        const report = await this.session.apply(changes)
        this.note(green(renderApplyReport(report).trimEnd()))
        await this.refreshChanges()
        return undefined
      }
      case 'discard': {
        const changes = await this.changesOrSay()
        if (!changes || !this.session) return undefined
        const sure = await this.choose(
          `Discard ${changes.changes.length} changed file${changes.changes.length === 1 ? '' : 's'}? The sandbox starts again from the project.`,
          [
            {key: 'y', label: 'Yes, discard them', value: true},
            {key: 'n', label: 'No, keep them', value: false},
          ],
          {escapeValue: false, interruptValue: false},
        )
        if (!sure) return undefined
        const old = this.session
        this.session = undefined
        this.changedFiles = 0
        this.activity = 'Starting a fresh sandbox…'
        this.options.cleanup.delete(old)
        await old.close()
        this.opening = this.openSandbox()
        await this.opening
        if (this.conversation.length > 0) {
          this.conversation.push({
            role: 'user',
            content:
              'Note: I discarded all changes in the sandbox. The workspace is back to the state of the project; ' +
              'files created or edited earlier in this conversation are gone.',
          })
        }
        this.note('Discarded. The sandbox is a fresh copy of the project.')
        return undefined
      }
      case 'clear':
        this.flush()
        this.region.clear()
        this.write(CLEAR_SCREEN)
        this.region.detach()
        this.conversation = []
        this.note(dim('New conversation. The sandbox keeps its files (/diff shows them).'))
        return undefined
      case 'stats':
        this.stats()
        return undefined
    }
    return undefined
  }

  private async changesOrSay(): Promise<ChangeSet | undefined> {
    this.activity = 'Looking at the sandbox…'
    const session = await this.sandbox()
    if (!session) return undefined
    const changes = await this.refreshChanges()
    if (!changes) return undefined
    if (changes.changes.length === 0) {
      this.note('No changes in the sandbox.')
      return undefined
    }
    return changes
  }

  private colorDiff(diff: string): string {
    const {green, red, cyan} = this.style
    return diff
      .replace(/\n$/, '')
      .split('\n')
      .map((line) =>
        line.startsWith('+++') || line.startsWith('---')
          ? line
          : line.startsWith('+')
            ? green(line)
            : line.startsWith('-')
              ? red(line)
              : line.startsWith('@@')
                ? cyan(line)
                : line,
      )
      .join('\n')
  }

  private help(): void {
    const {bold, dim} = this.style
    const commands = SLASH_COMMANDS.map((command) => {
      const name = `/${command.name}${command.usage ? ` ${command.usage}` : ''}`
      return `  ${bold(name.padEnd(22))}${command.summary}`
    })
    const keys = [
      ['Enter', 'send'],
      ['Ctrl+J, Alt+Enter, \\ Enter', 'new line'],
      ['Up / Down', 'history (and move between lines)'],
      ['Shift+Tab', 'switch the approval mode'],
      ['Ctrl-C', 'cancel what runs, clear the prompt; twice: quit'],
      ['Esc', 'cancel what runs'],
      ['Ctrl-D', 'quit (on an empty prompt)'],
      ['Ctrl+F', 'type into a running command, and back'],
      ['Tab', 'complete a /command'],
    ].map(([key, what]) => `  ${bold((key as string).padEnd(28))}${what}`)
    this.note(
      `Commands:\n${commands.join('\n')}\nKeys:\n${keys.join('\n')}\n${dim('Start a message with // to send a line that begins with /.')}`,
    )
  }

  private stats(): void {
    const {usage} = this.transcript
    const minutes = ((Date.now() - this.startedAt) / 60_000).toFixed(1)
    const lines = [
      `Model       ${this.modelName ?? this.baseModel?.model ?? '(none)'}${this.providerId ? ` via ${this.providerId}` : ''}`,
      `Sandbox     ${this.session?.id ?? '(none)'} (${this.sandboxState})`,
      `Messages    ${this.prompts} · model turns ${this.transcript.turns}`,
      `Tokens      ${usage.inputTokens.toLocaleString('en-US')} in / ${usage.outputTokens.toLocaleString('en-US')} out`,
      `Tool calls  ${this.transcript.toolCalls} (${this.transcript.failedToolCalls} failed or refused)`,
      `Changes     ${this.changedFiles} file${this.changedFiles === 1 ? '' : 's'} in the sandbox`,
      `Approval    ${this.approvals.mode}`,
      `Time        ${minutes} min`,
    ]
    this.note(lines.join('\n'))
  }

  // ---- authentication ------------------------------------------------------------------------------------------

  private model(): ModelClient | undefined {
    const base = this.baseModel
    const name = this.modelName
    if (!base || !name || name === base.model) return base
    return {model: name, stream: (request, signal) => base.stream({...request, model: name}, signal)}
  }

  private async chooseInitialModel(): Promise<void> {
    const {auth, config} = this.options
    try {
      const selection = await auth.select(config, {interactive: true})
      if (!selection) {
        this.note(this.style.yellow('No authentication is set up yet. Choose how to reach a model:'))
        await this.chooseAuth('')
        return
      }
      await this.useProvider(selection.provider, !selection.configured)
    } catch (error) {
      if (isAbort(error)) return
      this.note(this.style.red(`Error: ${message(error)}`))
      this.note('Use /auth to choose an authentication method.')
    }
  }

  private async chooseAuth(args: string): Promise<void> {
    const {auth, config} = this.options
    const providers = auth.list().map(({provider}) => provider)
    let provider: AuthProvider | undefined
    if (args !== '') {
      provider = auth.get(args)
      if (!provider) {
        this.note(
          this.style.yellow(
            `Unknown authentication method "${args}". Choose one of: ${providers.map((p) => p.id).join(', ')}`,
          ),
        )
        return
      }
    } else {
      const configured = await Promise.all(providers.map(async (p) => Boolean(await p.isConfigured(config))))
      provider = await this.choose<AuthProvider | undefined>(
        'Authentication method:',
        providers.map((p, i) => ({
          key: String(i + 1),
          // The state comes before the description, which a narrow terminal cuts off.
          label: `${p.id}${p.id === this.providerId ? ' (in use)' : configured[i] ? '' : ' (not set up)'}: ${p.describe()}`,
          value: p,
        })),
        {escapeValue: undefined, interruptValue: undefined},
      )
      if (!provider) return
    }
    let login = !(await provider.isConfigured(config))
    if (!login && provider.login) {
      login = await this.choose(
        `${provider.id} is set up.`,
        [
          {key: 'u', label: 'Use it', value: false},
          {key: 'l', label: 'Log in again', value: true},
        ],
        {escapeValue: false, interruptValue: false},
      )
    }
    await this.useProvider(provider, login)
  }

  private async useProvider(provider: AuthProvider, login: boolean): Promise<void> {
    const {config} = this.options
    if (login) {
      if (!provider.login) {
        this.note(
          this.style.yellow(
            `${provider.id} is not set up: set OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_MODEL) in the environment or .qwen/.env, then /auth again.`,
          ),
        )
        return
      }
      const controller = new AbortController()
      this.turn = controller
      this.activity = `Logging in with ${provider.id}… ${this.style.dim('· ctrl-c cancel')}`
      this.scheduleRender()
      try {
        await provider.login({info: (line) => this.note(line), interactive: true, signal: controller.signal}, config)
      } finally {
        this.turn = undefined
        this.activity = ''
      }
    }
    const client = await provider.client(config)
    this.baseModel = client
    this.providerId = provider.id
    this.note(this.style.dim(`Using ${provider.id} · model ${this.modelName ?? client.model}`))
  }

  // ---- quitting ------------------------------------------------------------------------------------------------

  /** Ends the session; with changes in the sandbox, asks: apply them, keep the sandbox for later, or discard. */
  private async quit(): Promise<number> {
    const {dim, green, yellow} = this.style
    this.state = 'busy'
    this.widget = undefined
    this.activity = 'Checking the sandbox for changes…'
    this.scheduleRender()
    if (this.sandboxState === 'starting') this.openAbort.abort(new DOMException('Session ended', 'AbortError'))
    const session = this.session ?? (await this.opening?.catch(() => undefined))
    if (!session) return 0
    let changes: ChangeSet | undefined
    try {
      changes = await session.changes()
    } catch (error) {
      this.note(yellow(`Could not list the changes (${message(error)}); keeping the sandbox.`))
    }
    let decision: 'apply' | 'keep' | 'discard' = changes && changes.changes.length === 0 ? 'discard' : 'keep'
    if (changes && changes.changes.length > 0) {
      const count = changes.changes.length
      this.note(
        `${count} file${count === 1 ? '' : 's'} changed in the sandbox:\n${indent(renderChangeSummary(changes).trimEnd())}`,
      )
      this.activity = ''
      decision = await this.choose<'apply' | 'keep' | 'discard'>(
        'Before you go: what about the changes?',
        [
          {key: 'a', label: 'Apply them to the project', value: 'apply'},
          {key: 'k', label: 'Keep the sandbox for later (agent diff / apply / discard)', value: 'keep'},
          {key: 'd', label: 'Discard them', value: 'discard'},
        ],
        {escapeValue: 'keep', interruptValue: 'keep'},
      )
    }
    this.activity = 'Closing the sandbox…'
    this.scheduleRender()
    this.options.cleanup.delete(session)
    if (decision === 'apply' && changes) {
      const report = await session.apply(changes)
      this.note(green(renderApplyReport(report).trimEnd()))
      if (report.refused.length > 0) decision = 'keep'
    }
    if (decision === 'keep') {
      await session.keep()
      this.note(
        `The sandbox is kept (stopped): ${dim(`agent diff ${session.id}`)}, then ${dim(`agent apply ${session.id}`)} or ${dim(`agent discard ${session.id}`)}.`,
      )
    } else {
      await session.close()
      if (decision === 'discard' && changes && changes.changes.length > 0) this.note('Discarded the changes.')
    }
    this.activity = ''
    this.sandboxState = 'closed'
    this.flush()
    return 0
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}

function formatCount(count: number): string {
  if (count < 1000) return String(count)
  if (count < 1_000_000) return `${(count / 1000).toFixed(1)}k`
  return `${(count / 1_000_000).toFixed(1)}M`
}

function message(error: unknown): string {
  return isAgentError(error) ? error.oneLine() : error instanceof Error ? error.message : String(error)
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError'
}
