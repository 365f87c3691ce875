// The interactive session put together: its parts are built here, and the loop reads a line, runs it as a message
// or a slash command, and ends with the quit dialog. The parts: chat-state (what the session knows), chat-screen
// (what is drawn), chat-input (what a key does), commands/ (one file per slash command), chat-turn (a message to the
// model), chat-sandbox, chat-auth, chat-prompts, chat-trust (folder trust), command-focus (Ctrl+F), chat-terminal
// (terminal modes), chat-quit.
import {createApprovals} from '../agent/approvals.js'
import {loadMarkdownRenderer, type MarkdownRenderer} from '../output/markdown-terminal.js'
import {ChatAuth} from './chat-auth.js'
import type {ChatContext} from './chat-context.js'
import {errorMessage, isAbort} from './chat-errors.js'
import {ChatInput, QUIT} from './chat-input.js'
import type {ChatOptions} from './chat-options.js'
import {ChatPrompts} from './chat-prompts.js'
import {quitSession} from './chat-quit.js'
import {ChatSandbox} from './chat-sandbox.js'
import {ChatScreen} from './chat-screen.js'
import {ChatState} from './chat-state.js'
import {takeTerminal} from './chat-terminal.js'
import {askFolderTrustOnFirstRun, showTrustNotices} from './chat-trust.js'
import {runTurn} from './chat-turn.js'
import {CommandFocus} from './command-focus.js'
import {SLASH_COMMANDS} from './commands/index.js'
import {LineEditor, type Submission} from './line-editor.js'
import {parseSlash} from './slash-commands.js'
import {createStyle} from '../output/style.js'

export type {ChatOptions, ChatTerminal} from './chat-options.js'

/** Runs the session until the user quits; resolves with the exit code. */
export async function runChat(options: ChatOptions): Promise<number> {
  const {terminal, config} = options
  const write = (text: string) => void terminal.output.write(text)
  const size = () => ({cols: terminal.output.columns ?? 80, rows: terminal.output.rows ?? 24})
  const style = createStyle(options.color)
  const editor = new LineEditor(options.history)
  // The markdown libraries load in the background while the sandbox starts; until then text shows as it came.
  let markdown: MarkdownRenderer | 'loading' | undefined = options.color ? 'loading' : undefined
  const promptsRef: {current?: ChatPrompts} = {}
  const state = new ChatState(
    createApprovals({
      mode: config.approvalMode,
      prompter: {ask: (request, signal) => (promptsRef.current as ChatPrompts).approval(request, signal)},
    }),
  )
  const screen = new ChatScreen({
    write,
    style,
    state,
    editor,
    columns: size().cols,
    rows: size().rows,
    displayNames: new Map(options.tools.map((tool) => [tool.name, tool.displayName ?? tool.name])),
    // NO_COLOR (or a dumb terminal) wins: no colours at all, the command's included.
    showColor: config.settings.tools.shell.showColor && options.color,
    markdown: () => markdown,
  })
  const prompts = new ChatPrompts(screen)
  promptsRef.current = prompts
  const sandbox = new ChatSandbox(options, state, screen)
  const context: ChatContext = {
    options,
    state,
    screen,
    prompts,
    sandbox,
    auth: new ChatAuth(options, state, screen, prompts),
    commands: SLASH_COMMANDS,
  }
  if (markdown === 'loading') {
    loadMarkdownRenderer(size().cols - 3)
      .then(
        (renderer) => (markdown = renderer),
        (error: unknown) => {
          markdown = undefined
          options.logger.warn({err: error}, 'markdown rendering unavailable')
        },
      )
      .finally(() => screen.transcript.markdownLoaded())
  }
  const focus = new CommandFocus(screen, write, size)
  const input = new ChatInput(context, editor, focus)

  const release = takeTerminal(terminal, options.cleanup, {
    data: (data) => input.data(data),
    resize: () => {
      const {cols, rows} = size()
      focus.resize(cols, rows)
      screen.resize(cols, rows)
      // Markdown from now on is laid out for the new width (the libraries are loaded already: this is quick).
      if (typeof markdown === 'function') {
        loadMarkdownRenderer(cols - 3).then(
          (renderer) => (markdown = renderer),
          () => undefined,
        )
      }
    },
    interrupt: () => input.interrupt(),
    stderr: (text) => screen.note(style.dim(text)),
  })
  screen.startSpinner()
  try {
    screen.banner(config.projectRoot, options.version)
    showTrustNotices(context)
    // Asked before the sandbox starts: the answer is part of how the folder is treated.
    await askFolderTrustOnFirstRun(context)
    void sandbox.open()
    await context.auth.chooseInitial()
    for (;;) {
      if (state.quitRequested) break
      const line = await input.nextLine()
      if (line === QUIT) break
      if ((await submit(context, focus, line)) === 'quit') break
    }
    return await quitSession(context)
  } finally {
    screen.stop()
    input.stop()
    release()
  }
}

/** A line from the prompt: a message for the model, or a slash command from the table. */
async function submit(context: ChatContext, focus: CommandFocus, line: Submission): Promise<'quit' | void> {
  const {options, state, screen} = context
  const parsed = parseSlash(line.text, context.commands)
  try {
    if (parsed.kind === 'message') {
      const shown = parsed.text === line.text ? line.shown : line.shown.trim().slice(1)
      return await runTurn(context, focus, parsed.text, shown)
    }
    screen.transcript.userMessage(line.shown.trim())
    if (parsed.kind === 'unknown') {
      const hint = parsed.suggestion ? ` Did you mean /${parsed.suggestion}?` : ' /help lists the commands.'
      screen.note(screen.style.yellow(`Unknown command /${parsed.typed}.${hint}`))
      return
    }
    const command = context.commands.find((candidate) => candidate.name === parsed.name)
    return await command?.run(context, parsed.args)
  } catch (error) {
    if (isAbort(error)) {
      screen.note(screen.style.yellow('Cancelled.'))
      return
    }
    options.logger.warn({err: error}, 'interactive command failed')
    screen.note(screen.style.red(`Error: ${errorMessage(error)}`))
    return
  } finally {
    state.turn = undefined
    state.cancelling = false
    state.activity = ''
  }
}
