// Where the session is drawn: finished lines go to the scrollback, and the live lines at the bottom (the model's
// unfinished text, the spinner, the prompt or a question, notices, the status line) are laid out and redrawn here.
import type {MarkdownRenderer} from '../output/markdown-terminal.js'
import {truncate} from '../output/text-width.js'
import type {ChatState} from './chat-state.js'
import type {LineEditor} from './line-editor.js'
import {layoutEditor} from './line-editor.js'
import {LiveRegion, type LiveFrame} from './live-region.js'
import {statusLine} from './status-line.js'
import type {Style} from '../output/style.js'
import {Transcript} from './transcript.js'
import type {Widget} from './widgets.js'

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const CLEAR_SCREEN = '\u001B[2J\u001B[3J\u001B[H'

export interface ChatScreenOptions {
  write(text: string): void
  style: Style
  state: ChatState
  editor: LineEditor
  columns: number
  rows: number
  /** Tool name -> the name people see. */
  displayNames: ReadonlyMap<string, string>
  /** Keep the colours of interactive commands' output. */
  showColor: boolean
  /** Renders the model's markdown once loaded (undefined: shown as it came, e.g. without colours). */
  markdown?: () => MarkdownRenderer | 'loading' | undefined
}

export class ChatScreen {
  readonly region: LiveRegion
  readonly transcript: Transcript
  /** The question or choice shown in place of the prompt. */
  widget: Widget | undefined
  /** A running command can be given the keyboard (Ctrl+F): the hint says so. */
  canFocus = false
  /** The screen is lent to a focused command: nothing is drawn, printed text waits. */
  private lent = false
  private held = ''
  private pending = ''
  private notice: {text: string; until: number} | undefined
  private renderTimer: NodeJS.Timeout | undefined
  private spinnerTimer: NodeJS.Timeout | undefined
  private frameIndex = 0

  constructor(private readonly options: ChatScreenOptions) {
    this.region = new LiveRegion(options.write, options.columns, options.rows)
    this.transcript = new Transcript({
      style: options.style,
      displayNames: options.displayNames,
      showColor: options.showColor,
      print: (text) => this.print(text),
      ...(options.markdown ? {markdown: options.markdown} : {}),
    })
  }

  get style(): Style {
    return this.options.style
  }

  /** Finished text for the scrollback (held back while a focused command has the screen). */
  print(text: string): void {
    if (this.lent) {
      this.held += text
      return
    }
    this.pending += text
    this.scheduleRender()
  }

  /** A line from the UI itself (slash commands, notices), after the model's unfinished text. */
  note(text: string): void {
    this.transcript.note(text)
  }

  /** A short-lived line above the status line. */
  setNotice(text: string, ms = 4000): void {
    this.notice = {text, until: Date.now() + ms}
  }

  clearNotice(): void {
    this.notice = undefined
  }

  scheduleRender(): void {
    if (this.renderTimer || this.lent) return
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined
      this.flush()
    }, 16)
  }

  /** Writes what waits to be printed and redraws the live lines, now. */
  flush(): void {
    clearTimeout(this.renderTimer)
    this.renderTimer = undefined
    if (this.lent) return
    const frame = this.frame()
    if (this.pending !== '') {
      const text = this.pending
      this.pending = ''
      this.region.print(text, frame)
    } else {
      this.region.render(frame)
    }
  }

  /** The spinner turns while something runs. */
  startSpinner(): void {
    this.spinnerTimer = setInterval(() => {
      if (this.options.state.phase !== 'busy' || this.lent) return
      this.frameIndex = (this.frameIndex + 1) % SPINNER.length
      this.scheduleRender()
    }, 120)
  }

  /** Draws what is left and removes the live lines (the session ends). */
  stop(): void {
    clearInterval(this.spinnerTimer)
    clearTimeout(this.renderTimer)
    this.flush()
    this.region.clear()
  }

  resize(columns: number, rows: number): void {
    if (this.lent) return
    this.flush()
    this.region.resize(columns, rows)
  }

  /** /clear: an empty screen and scrollback. */
  clearScreen(): void {
    this.flush()
    this.region.clear()
    this.options.write(CLEAR_SCREEN)
    this.region.detach()
  }

  /** A focused command takes the screen: the live lines go, and printing waits until `reclaim`. */
  lend(): void {
    this.flush()
    this.region.clear()
    this.lent = true
  }

  get isLent(): boolean {
    return this.lent
  }

  /** The screen is back (the command drew on it, so the live region starts afresh); what waited is printed. */
  reclaim(): void {
    if (!this.lent) return
    this.lent = false
    this.region.detach()
    const held = this.held
    this.held = ''
    if (held) this.print(held)
    this.flush()
  }

  banner(projectRoot: string, version: string | undefined): void {
    const {bold, dim} = this.style
    const lines = [
      `${bold('sandbox-agent')}${version ? dim(` ${version}`) : ''} ${dim('· interactive session')}`,
      dim(`Working on a sandbox copy of ${projectRoot}; your files change only on /apply.`),
      dim('/help commands · Ctrl-C cancels · Ctrl-D quits'),
    ]
    this.print(`${lines.join('\n')}\n`)
  }

  private frame(): LiveFrame {
    const {state, editor} = this.options
    const width = this.region.width
    const {dim, yellow, cyan} = this.style
    const lines: string[] = [...this.transcript.partialLines(width)]
    let cursor: LiveFrame['cursor']
    const activity = state.phase === 'busy' ? this.activityText() : ''
    if (activity) lines.push(`${cyan(SPINNER[this.frameIndex] as string)} ${activity}`)
    if (this.widget) {
      const view = this.widget.view(width)
      if (view.cursor) cursor = {row: lines.length + view.cursor.row, col: view.cursor.col}
      lines.push(...view.lines)
    } else if (state.phase === 'idle' || state.typeAhead) {
      const idle = state.phase === 'idle'
      // Messages typed ahead wait above the prompt until what runs ends.
      for (const queued of state.queued) {
        const [first = '', ...more] = queued.shown.split('\n')
        lines.push(dim(`⏎ queued: ${first}${more.length > 0 ? ` (+${more.length} lines)` : ''}`))
      }
      const layout = layoutEditor(editor.text, editor.cursor, width, `${idle ? cyan('>') : dim('>')} `, '  ')
      cursor = {row: lines.length + layout.cursorRow, col: layout.cursorCol}
      const rows = [...layout.rows]
      if (editor.text === '') rows[0] = `${rows[0]}${dim(this.placeholder())}`
      lines.push(...rows)
    }
    if (this.notice && this.notice.until > Date.now()) lines.push(yellow(this.notice.text))
    else this.notice = undefined
    lines.push(this.statusLine(width))
    return cursor ? {lines, cursor} : {lines}
  }

  private placeholder(): string {
    const {state} = this.options
    if (state.phase === 'idle') return 'Type a message, / for commands, ↑ for history'
    if (state.queued.length > 0) return '↑ edits the queued message'
    return 'Type ahead: sent when this is done'
  }

  private activityText(): string {
    const {dim} = this.style
    const {state} = this.options
    const transcript = this.transcript
    if (state.cancelling) return 'Cancelling…'
    const tool = transcript.tool
    if (tool && transcript.phase === 'tool' && !this.widget) {
      const seconds = Math.floor((Date.now() - tool.startedAt) / 1000)
      const hints = ['ctrl-c cancel']
      if (tool.terminal && this.canFocus)
        hints.unshift(transcript.fullScreen ? 'ctrl+f to show it' : 'ctrl+f to type into it')
      const what = truncate(tool.description, 40)
      return `Running ${what} ${dim(`· ${seconds}s · ${hints.join(' · ')}`)}`
    }
    if (this.widget) return ''
    if (state.activity) return state.activity
    if (transcript.phase === 'thinking') return `Thinking… ${dim('· ctrl-c cancel')}`
    if (transcript.phase === 'responding') return `Writing… ${dim('· ctrl-c cancel')}`
    return ''
  }

  private statusLine(width: number): string {
    const {red, green} = this.style
    const {state} = this.options
    const ready = state.sandboxState === 'ready' && state.session !== undefined
    return statusLine(
      {
        model: state.modelLabel() ?? red('no model: /auth'),
        ...(ready && state.session ? {sandboxId: state.session.id.slice(0, 8)} : {}),
        sandboxState: ready
          ? green('ready')
          : state.sandboxState === 'failed'
            ? red('failed (see above)')
            : state.sandboxState,
        sandboxReady: ready,
        changedFiles: state.changedFiles,
        tokens: formatCount(this.transcript.usage.inputTokens + this.transcript.usage.outputTokens),
        mode: state.approvals.mode,
      },
      width,
      this.style,
    )
  }
}

function formatCount(count: number): string {
  if (count < 1000) return String(count)
  if (count < 1_000_000) return `${(count / 1000).toFixed(1)}k`
  return `${(count / 1_000_000).toFixed(1)}M`
}
