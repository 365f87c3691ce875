// Output for people: the model's text on stdout as it streams; tool calls, live output and the summary on stderr.
import type {AgentEvent} from '../agent/events.js'
import type {TokenUsage} from '../agent/model-client.js'
import {changeLine, notAppliedLines, overLimitLine, renderHeldBack} from '../sandbox/changes/render-changes.js'
import type {ChangeSet, NetworkSummary} from '../sandbox/types.js'
import type {ToolErrorKind, ToolKind} from '../tools/types.js'
import {MarkdownStream} from './markdown-stream.js'
import {loadMarkdownRenderer, type MarkdownRenderer} from './markdown-terminal.js'
import {networkSummaryLines} from './network-summary-lines.js'
import {safeLine, showControls} from './sanitize.js'
import {createStyle} from './style.js'
import {cleanOutput, renderOutputLine, splitCutEscape} from './terminal-text.js'
import type {RenderIO, Renderer} from './renderer.js'
import {firstLine, lastLine} from './text-lines.js'
import {todoLines} from './todo-lines.js'

export interface TextRendererOptions {
  /** ANSI colours on stderr (default: when stderr is a TTY and NO_COLOR is unset). */
  color?: boolean
  /** The model's markdown rendered on stdout (default: when stdout is a TTY and NO_COLOR is unset); else plain. */
  markdown?: boolean
  /**
   * tools.shell.showColor: keep the colours in commands' live output (when colours are on at all). Asked when output
   * arrives, because the settings are read after the renderer is made.
   */
  showColor?: () => boolean
}

/** Errors the loop itself writes for the model: their model text is the clearest explanation for people too. */
const LOOP_ERRORS = new Set<ToolErrorKind>(['unknown_tool', 'invalid_parameters', 'refused', 'denied_by_user'])

/**
 * Why two streams: stdout carries only what the model says, so `agent run "..." > answer.md` or `| less` keep just the
 * answer; everything about the work (tool calls, their live output, retries, the summary) goes to stderr.
 */
export function createTextRenderer(io: RenderIO, options: TextRendererOptions = {}): Renderer {
  const color = options.color ?? (io.stderr.isTTY === true && !process.env.NO_COLOR)
  const {dim, bold, cyan, green, red, yellow} = createStyle(color)

  let stdoutAtLineStart = true
  let outputAtLineStart = true
  let sawOutput = new Set<string>()
  const kinds = new Map<string, ToolKind>()
  let end: Extract<AgentEvent, {type: 'run_finished' | 'run_failed'}> | undefined
  let changes: ChangeSet | undefined
  let network: NetworkSummary | undefined
  let summarized = false
  let usage: TokenUsage = {inputTokens: 0, outputTokens: 0}
  /** Per tool call, an escape sequence cut at the end of the last chunk (cleaned once the next chunk completes it). */
  const cutEscapes = new Map<string, string>()
  // A hostile repository controls command output and can steer the model: on a terminal, neither may act on it.
  const forTerminal = io.stdout.isTTY === true ? showControls : (text: string) => text

  const out = (text: string) => {
    if (text === '') return
    io.stdout.write(text)
    stdoutAtLineStart = text.endsWith('\n')
  }
  // On a terminal the model's markdown is rendered block by block (the libraries load while the run starts); piped
  // or under NO_COLOR, its text goes out exactly as it came.
  const markdownWanted = options.markdown ?? (io.stdout.isTTY === true && !process.env.NO_COLOR)
  let markdown: MarkdownRenderer | 'loading' | undefined = markdownWanted ? 'loading' : undefined
  const modelText = markdownWanted ? new MarkdownStream(out, () => markdown) : undefined
  if (modelText) {
    loadMarkdownRenderer(io.stdout.columns ?? 80).then(
      (renderer) => {
        markdown = renderer
        modelText.resume()
      },
      () => {
        markdown = undefined
        modelText.resume()
      },
    )
  }
  /** Progress goes to stderr; first close a half-written line of model text so the two do not run together. */
  const err = (text: string) => {
    if (!stdoutAtLineStart) out('\n')
    io.stderr.write(text)
  }
  // Colours kept from a command must not run on into the next line or past its output.
  const keepColors = () => color && options.showColor?.() === true
  const endOutputLine = () => {
    if (!outputAtLineStart) io.stderr.write(`${keepColors() ? '\u001B[0m' : ''}\n`)
    outputAtLineStart = true
  }

  /** Outcome, turns, tokens, time and the changed files; once, at the end of the run. */
  const summary = () => {
    summarized = true
    const total = end?.usage ?? usage
    const turns = end?.turns ?? 0
    const time = end ? `${(end.durationMs / 1000).toFixed(1)}s` : ''
    const count = changes?.overLimit?.count ?? changes?.changes.length ?? 0
    const stats = [
      `${turns} turn${turns === 1 ? '' : 's'}`,
      `${total.inputTokens.toLocaleString('en-US')} tokens in / ${total.outputTokens.toLocaleString('en-US')} out`,
      time,
      // Unknown (the sandbox died before they could be read) is not "0 files changed".
      changes ? `${count} file${count === 1 ? '' : 's'} changed` : '',
    ].filter(Boolean)
    const head =
      end?.type === 'run_failed'
        ? red(`Failed: ${safeLine(end.message)}`)
        : end?.reason === 'max_turns'
          ? yellow(`Stopped: reached the limit of ${turns} turns (--max-turns)`)
          : end?.reason === 'canceled'
            ? yellow('Cancelled')
            : green('Done')
    const lines = [`${head} ${dim('·')} ${stats.join(dim(' · '))}`]
    for (const change of changes?.changes ?? []) lines.push(`  ${changeLine(change)}`)
    if (changes) lines.push(...notAppliedLines(changes).map((line) => yellow(`  ${line}`)))
    if (network) lines.push(...networkSummaryLines(network).map((line) => (network?.proxyDown ? yellow(line) : line)))
    err(`\n${lines.join('\n')}\n`)
  }

  return {
    handle(event) {
      switch (event.type) {
        case 'session_started':
          err(dim(`session ${event.sessionId} · ${event.model} · approval ${event.approvalMode}\n`))
          break
        case 'turn_started':
          sawOutput = new Set()
          break
        case 'text_delta':
          if (modelText) modelText.push(forTerminal(event.text))
          else out(forTerminal(event.text))
          break
        case 'assistant_message':
          modelText?.end()
          if (!stdoutAtLineStart) out('\n')
          break
        case 'tool_call_started':
          kinds.set(event.id, event.kind)
          err(`${cyan('●')} ${bold(safeLine(event.name))} ${safeLine(event.description)}\n`)
          outputAtLineStart = true
          break
        case 'approval_needed':
          break
        case 'tool_output': {
          sawOutput.add(event.id)
          const [whole, cut] = splitCutEscape((cutEscapes.get(event.id) ?? '') + event.chunk)
          cutEscapes.set(event.id, cut)
          const keep = keepColors()
          const lines = cleanOutput(whole, keep).split('\n')
          let text = ''
          for (const [i, line] of lines.entries()) {
            const last = i === lines.length - 1
            if (last && line === '') break
            if (outputAtLineStart) text += dim('  │ ')
            const shown = renderOutputLine(line)
            text += event.stream === 'stderr' ? yellow(shown) : shown
            outputAtLineStart = !last
            if (!last) text += keep ? '\u001B[0m\n' : '\n'
          }
          err(text)
          break
        }
        case 'tool_call_finished': {
          endOutputLine()
          const seconds = `${(event.durationMs / 1000).toFixed(1)}s`
          const error = event.result.error
          if (error) {
            // The loop's own errors explain best in their model text; a tool's forUser ends with its outcome line.
            const text = safeLine(
              LOOP_ERRORS.has(error.kind) ? firstLine(event.result.forModel) : lastLine(event.result.forUser),
            )
            err(`  ${red('✗')} ${text} ${dim(`(${error.kind.replaceAll('_', ' ')}, ${seconds})`)}\n`)
            break
          }
          // forUser's last line is the outcome ("exit code 1", "read 40 lines"); the lines above it are a display worth
          // showing when nothing streamed live, except for commands, whose lines only repeat the command.
          const lines = event.result.forUser.replace(/\n+$/, '').split('\n')
          const status = lines.length > 0 ? safeLine((lines.pop() as string).trim()) : ''
          if (!sawOutput.has(event.id) && kinds.get(event.id) !== 'execute' && lines.length > 0) {
            err(indent(clipLines(showControls(lines.join('\n')), 20), dim('  │ ')))
          }
          const exitCode = event.exec?.exitCode ?? Number(/\bexit code (\d+)/.exec(status)?.[1] ?? 0)
          const mark = exitCode === 0 ? green('✓') : yellow('✗')
          err(`  ${mark} ${dim([status, seconds].filter(Boolean).join(' · '))}\n`)
          break
        }
        case 'model_retry':
          err(
            yellow(
              `  model request failed (${safeLine(event.reason)}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)}s\n`,
            ),
          )
          break
        case 'history_compressed':
          err(
            dim(
              `Context compressed${event.trigger === 'manual' ? '' : ' (near the context window)'}: ` +
                `${tokens(event.tokensBefore)} → ${tokens(event.tokensAfter)} tokens; older turns replaced by a summary\n`,
            ),
          )
          break
        case 'history_not_compressed':
          err(yellow(`Context not compressed (${safeLine(event.reason)}); going on with the whole history\n`))
          break
        case 'todos_updated':
          err(`${todoLines(event.todos, {dim, bold, green}).join('\n')}\n`)
          break
        case 'usage':
          usage = {
            inputTokens: usage.inputTokens + event.usage.inputTokens,
            outputTokens: usage.outputTokens + event.usage.outputTokens,
          }
          break
        case 'network_summary':
          network = event.summary
          break
        case 'changes_ready':
          // The summary comes as soon as the changes are known, so it is on screen before "apply?" is asked.
          changes = event.changes
          summary()
          break
        case 'changes_applied': {
          if (event.report.overLimit) {
            err(`${red(overLimitLine(event.report.overLimit))}\n`)
            break
          }
          const {applied, refused} = event.report
          const lines = [`Applied ${applied.length} file${applied.length === 1 ? '' : 's'} to the project.`]
          for (const entry of refused) lines.push(red(`  refused ${safeLine(entry.path)}: ${safeLine(entry.reason)}`))
          const held = renderHeldBack(event.report)
          err(`${lines.join('\n')}\n${held === '' ? '' : yellow(held)}`)
          break
        }
        case 'run_finished':
        case 'run_failed':
          modelText?.end()
          end = event
          break
        case 'tool_call_delta':
          break
      }
    },

    finish() {
      if (!summarized) summary()
    },
  }
}

function tokens(count: number): string {
  return count.toLocaleString('en-US')
}

function clipLines(text: string, max: number): string {
  const lines = text.replace(/\n+$/, '').split('\n')
  if (lines.length <= max) return lines.join('\n')
  return [...lines.slice(0, max), `… ${lines.length - max} more lines`].join('\n')
}

function indent(text: string, prefix: string): string {
  return `${text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n')}\n`
}
