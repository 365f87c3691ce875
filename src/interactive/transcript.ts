// The conversation as people see it: agent events (and raw terminal output of interactive commands) turned into finished
/* eslint-disable no-control-regex -- terminal escape sequences are what this file matches */
// lines for the scrollback plus the unfinished line still growing, which the live region shows.
import {StringDecoder} from 'node:string_decoder'

import type {AgentEvent} from '../agent/events.js'
import type {TokenUsage} from '../agent/model-client.js'
import type {ToolErrorKind} from '../tools/types.js'
import type {Style} from '../output/style.js'
import {cleanOutput, renderOutputLine, showControls, splitCutEscape} from '../output/terminal-text.js'
import {MarkdownStream} from '../output/markdown-stream.js'
import type {MarkdownRenderer} from '../output/markdown-terminal.js'
import {wrapLine} from '../output/text-width.js'
import {firstLine, lastLine} from '../output/text-lines.js'
import {todoLines} from '../output/todo-lines.js'

const LOOP_ERRORS = new Set<ToolErrorKind>(['unknown_tool', 'invalid_parameters', 'refused', 'denied_by_user'])
const ALT_SCREEN = /\u001B\[\?(?:1049|1047|47)([hl])/g
/** Cursor addressing or clearing the screen: the program paints a screen (top, watch) rather than writing lines. */
const PAINTS_SCREEN = /\u001B\[(?:\d*;\d*)?[Hf]|\u001B\[[23]?J/

export interface RunningTool {
  id: string
  name: string
  description: string
  startedAt: number
  /** Runs on a pseudo-terminal the user can focus (Ctrl+F). */
  terminal: boolean
}

export interface TranscriptOptions {
  style: Style
  /** Tool name -> the name people see (e.g. run_shell_command -> Shell). */
  displayNames?: ReadonlyMap<string, string>
  /** tools.shell.showColor: keep the colours of interactive commands' output. */
  showColor?: boolean
  /** Receives finished lines (each ending in \n). */
  print: (text: string) => void
  /** Renders the model's markdown once loaded (undefined: its text is shown as it came). */
  markdown?: () => MarkdownRenderer | 'loading' | undefined
}

export class Transcript {
  /** Tokens of the whole session. */
  readonly usage: TokenUsage = {inputTokens: 0, outputTokens: 0}
  toolCalls = 0
  failedToolCalls = 0
  turns = 0
  phase: 'idle' | 'thinking' | 'responding' | 'tool' = 'idle'
  tool: RunningTool | undefined
  /** A full-screen program (alternate screen) is running on the terminal of the current tool. */
  fullScreen = false

  /** The model's text: complete markdown blocks are rendered and printed, the open one is shown live. */
  private readonly text: MarkdownStream
  private textStarted = false
  private output = ''
  /** An escape sequence cut at the end of a chunk, per stream, waiting for the rest. */
  private readonly cut = {stdout: '', stderr: '', terminal: ''}
  private readonly decoder = new StringDecoder('utf8')
  private readonly sawOutput = new Set<string>()
  private readonly terminalCalls = new Set<string>()
  private readonly style: Style

  constructor(private readonly options: TranscriptOptions) {
    this.style = options.style
    this.text = new MarkdownStream(
      (text) => this.printText(text),
      () => options.markdown?.(),
    )
  }

  /** The markdown renderer has loaded: the blocks held back until then are printed. */
  markdownLoaded(): void {
    this.text.resume()
  }

  /** What the user typed, echoed into the scrollback. */
  userMessage(text: string): void {
    const {bold, dim} = this.style
    const lines = text.split('\n')
    this.options.print(
      `\n${lines.map((line, i) => (i === 0 ? `${bold('>')} ${line}` : `${dim('│')} ${line}`)).join('\n')}\n`,
    )
  }

  /** A line from the UI itself (slash commands, notices). */
  note(text: string): void {
    this.flushText()
    this.options.print(text.endsWith('\n') ? text : `${text}\n`)
  }

  handle(event: AgentEvent): void {
    const {style} = this
    switch (event.type) {
      case 'session_started':
        break
      case 'turn_started':
        this.turns += 1
        this.phase = 'thinking'
        break
      case 'text_delta':
        this.phase = 'responding'
        this.addText(showControls(event.text))
        break
      case 'assistant_message':
        this.flushText()
        this.textStarted = false
        break
      case 'tool_call_delta':
        break
      case 'tool_call_started': {
        this.flushText()
        this.phase = 'tool'
        this.toolCalls += 1
        this.tool = {
          id: event.id,
          name: event.name,
          description: showControls(event.description),
          startedAt: Date.now(),
          terminal: false,
        }
        const name = this.options.displayNames?.get(event.name) ?? showControls(event.name, {singleLine: true})
        const why = (event.input as {description?: unknown} | null)?.description
        let line = `${style.cyan('●')} ${style.bold(name)} ${this.tool.description}\n`
        if (typeof why === 'string' && why.trim() !== '') line += `  ${style.dim(showControls(why.trim()))}\n`
        this.options.print(line)
        break
      }
      case 'approval_needed':
        break
      case 'tool_output':
        if (this.terminalCalls.has(event.id)) break
        this.sawOutput.add(event.id)
        this.addChunk(event.stream, event.chunk)
        break
      case 'tool_call_finished':
        this.flushOutput()
        this.finishTool(event)
        break
      case 'model_retry':
        this.note(
          style.yellow(
            `  model request failed (${showControls(event.reason, {singleLine: true})}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)}s`,
          ),
        )
        break
      case 'history_compressed':
        this.note(
          style.dim(
            `Context compressed${event.trigger === 'manual' ? '' : ' (near the context window)'}: ` +
              `${event.tokensBefore.toLocaleString('en-US')} → ${event.tokensAfter.toLocaleString('en-US')} tokens; ` +
              'older turns replaced by a summary',
          ),
        )
        break
      case 'history_not_compressed':
        this.note(
          style.yellow(
            `Context not compressed (${showControls(event.reason, {singleLine: true})}); going on with the whole history`,
          ),
        )
        break
      case 'todos_updated':
        this.note(todoLines(event.todos, style).join('\n'))
        break
      case 'usage':
        this.usage.inputTokens += event.usage.inputTokens
        this.usage.outputTokens += event.usage.outputTokens
        break
      case 'changes_ready':
      case 'changes_applied':
      case 'network_summary':
        break
      case 'run_finished':
        this.flushText()
        this.phase = 'idle'
        if (event.reason === 'canceled') this.note(style.yellow('Cancelled.'))
        if (event.reason === 'max_turns')
          this.note(style.yellow(`Stopped after ${event.turns} model turns (model.maxSessionTurns or --max-turns).`))
        break
      case 'run_failed':
        this.flushText()
        this.phase = 'idle'
        this.note(style.red(`Error: ${showControls(event.message)}`))
        break
    }
  }

  /** The current tool call runs on a pseudo-terminal: its output comes through terminalOutput, not tool_output. */
  terminalStarted(): void {
    if (!this.tool) return
    this.tool.terminal = true
    this.terminalCalls.add(this.tool.id)
    this.fullScreen = false
  }

  /**
   * Raw bytes from the current tool's pseudo-terminal. Returns the text as received (for a focused terminal, which
   * writes it straight to the screen); `show` false records only the state (alternate screen, partial line).
   */
  terminalOutput(chunk: Buffer, show: boolean): void {
    const text = this.decoder.write(chunk)
    let last: string | undefined
    for (const match of text.matchAll(ALT_SCREEN)) last = match[1]
    // Output while a full-screen program draws makes no sense as lines; it is shown only when focused.
    const wasFull = this.fullScreen
    if (last !== undefined) this.fullScreen = last === 'h'
    else if (PAINTS_SCREEN.test(text)) this.fullScreen = true
    if (!show || wasFull || this.fullScreen) {
      if (!show) {
        this.output = ''
        this.cut.terminal = ''
      }
      return
    }
    if (this.tool) this.sawOutput.add(this.tool.id)
    this.addChunk('terminal', text)
  }

  /** After the user typed into the focused terminal: what it showed is already on screen, start a new line. */
  terminalReleased(): void {
    this.output = ''
    this.cut.terminal = ''
  }

  /** The unfinished last line of the current command's output, as text (e.g. a REPL's `>>> ` prompt). */
  partialOutput(): string {
    return renderOutputLine(this.output)
  }

  /** The unfinished line(s) the live region shows: model text being written, or a command's partial output line. */
  partialLines(width: number): string[] {
    const open = this.text.open
    if (open !== '') {
      return open
        .replace(/\n$/, '')
        .split('\n')
        .flatMap((line, i) => wrapLine(`${i === 0 ? this.textPrefix() : '  '}${line}`, width))
    }
    if (this.output !== '') return wrapLine(`${this.style.dim('  │ ')}${renderOutputLine(this.output)}`, width)
    return []
  }

  private textPrefix(): string {
    return this.textStarted ? '  ' : `${this.style.magenta('✦')} `
  }

  private addText(text: string): void {
    this.text.push(text)
  }

  private flushText(): void {
    this.text.end()
  }

  /** Rendered model text, each line behind the message's mark or an indent. */
  private printText(text: string): void {
    let out = ''
    for (const line of text.replace(/\n$/, '').split('\n')) {
      out += `${this.textPrefix()}${line}\n`
      this.textStarted = true
    }
    this.options.print(out)
  }

  /**
   * Output of a command, made safe to print: escape sequences (all, or all but colours with showColor) and control
   * characters go; carriage returns, backspaces and tabs are rendered when a line is shown. Stderr is yellow.
   */
  private addChunk(stream: keyof Transcript['cut'], chunk: string, final = false): void {
    const [ready, cut] = splitCutEscape(this.cut[stream] + chunk)
    // At the end, a sequence the command never finished is dropped.
    this.cut[stream] = final ? '' : cut
    const clean = cleanOutput(ready, this.options.showColor === true)
    if (clean === '') return
    // Coloured line by line: the bar at the start of each line resets colours.
    this.addOutput(
      stream === 'stderr'
        ? clean
            .split('\n')
            .map((part) => this.style.yellow(part))
            .join('\n')
        : clean,
    )
  }

  private addOutput(chunk: string): void {
    this.output += chunk.replace(/\r\n/g, '\n')
    const at = this.output.lastIndexOf('\n')
    if (at === -1) return
    const lines = this.output.slice(0, at).split('\n')
    this.output = this.output.slice(at + 1)
    const bar = this.style.dim('  │ ')
    // Colours kept from a command (showColor) must not run on into the next line.
    const reset = this.options.showColor && this.style.enabled ? '\u001B[0m' : ''
    this.options.print(lines.map((line) => `${bar}${renderOutputLine(line)}${reset}\n`).join(''))
  }

  private flushOutput(): void {
    const rest = this.decoder.end()
    const terminal = this.tool?.terminal === true && !this.fullScreen
    if (terminal) this.addChunk('terminal', rest, true)
    for (const stream of ['stdout', 'stderr'] as const) if (this.cut[stream]) this.addChunk(stream, '', true)
    this.cut.stdout = this.cut.stderr = this.cut.terminal = ''
    const line = renderOutputLine(this.output)
    if (line.trim() !== '') this.options.print(`${this.style.dim('  │ ')}${line}\n`)
    this.output = ''
  }

  private finishTool(event: Extract<AgentEvent, {type: 'tool_call_finished'}>): void {
    const {style} = this
    this.phase = 'thinking'
    const wasTerminal = this.tool?.terminal === true
    this.tool = undefined
    this.fullScreen = false
    const seconds = `${(event.durationMs / 1000).toFixed(1)}s`
    const error = event.result.error
    if (error) {
      this.failedToolCalls += 1
      const text = LOOP_ERRORS.has(error.kind)
        ? showControls(firstLine(event.result.forModel))
        : showControls(lastLine(event.result.forUser).replace(/^\((.*)\)$/, '$1'))
      this.options.print(
        `  ${style.red('✗')} ${text} ${style.dim(`(${error.kind.replaceAll('_', ' ')}, ${seconds})`)}\n`,
      )
      return
    }
    const lines = showControls(event.result.forUser).replace(/\n+$/, '').split('\n')
    const status = lines.length > 0 ? (lines.pop() as string).trim().replace(/^\((.*)\)$/, '$1') : ''
    // A tool's display (e.g. an edit's diff) is shown when nothing streamed; a command's lines only repeat it.
    if (!this.sawOutput.has(event.id) && !wasTerminal && !lines[0]?.startsWith('$ ') && lines.length > 0) {
      const shown = lines.slice(0, 20)
      const more = lines.length - shown.length
      this.options.print(
        shown.map((line) => `${style.dim('  │ ')}${line}\n`).join('') +
          (more > 0 ? `${style.dim(`  │ … ${more} more lines`)}\n` : ''),
      )
    }
    const exitCode = event.exec?.exitCode ?? Number(/\bexit code (\d+)/.exec(status)?.[1] ?? 0)
    if (exitCode !== 0) this.failedToolCalls += 1
    const mark = exitCode === 0 ? style.green('✓') : style.yellow('✗')
    this.options.print(`  ${mark} ${style.dim([status, seconds].filter(Boolean).join(' · '))}\n`)
  }
}
