// `agent chat` (and `agent` with no arguments on a terminal): an interactive session with one sandbox for the whole
// conversation. Parses flags and wires config, tools, auth and the sandbox; src/interactive does the rest.
import path from 'node:path'

import {Flags} from '@oclif/core'

import {APPROVAL_MODES} from '../agent/approvals.js'
import {BaseCommand} from '../cli/base-command.js'
import {DEFAULT_MAX_TURNS, sessionFlags} from '../cli/session-flags.js'
import {loadContributions, loadProjectConfig, openSandbox, openSessionTools} from '../cli/run-wiring.js'
import {contextLimits} from '../cli/context-limits.js'
import {chatMemory, loadRunContext, runSystemPrompt} from '../cli/run-context.js'
import {describeNetwork} from '../config/network-setting.js'
import {createChatSessions} from '../sessions/index.js'
import {ExitCode, UserInputError} from '../errors.js'
import {runChat} from '../interactive/chat-app.js'
import {HISTORY_FILE_NAME, loadHistory} from '../interactive/history-file.js'
import {PromptHistory} from '../interactive/line-editor.js'
import {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import {NO_TOOL_SOURCES, type SessionToolSources} from '../tools/open-tool-sources.js'

/** Without model.maxSessionTurns each message still ends: a model stuck in a loop costs money. */

export default class Chat extends BaseCommand<typeof Chat> {
  static override summary = 'Start an interactive session (also: `agent` with no arguments on a terminal)'
  static override description = [
    `The project (the current directory or --cwd) is copied into one sandbox container for the whole conversation. Type a message; the model's answer streams in, and every tool call shows what it runs, its live output and how it ended. Your files change only when you /apply (or choose "apply" when you quit).`,
    `Keys: Enter sends, Ctrl+J (or Alt+Enter, or \\ then Enter) starts a new line, Up/Down browse the history, Shift+Tab switches the approval mode, Ctrl-C cancels what runs (twice: quit), Ctrl-D quits, Ctrl+F types into a running interactive command (tools.shell.enableInteractiveShell). /help lists the slash commands.`,
  ].join('\n\n')

  static override examples = [
    {description: 'Chat about the current project', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Another project, without approval questions',
      command: '<%= config.bin %> <%= command.id %> --cwd ../app --yolo',
    },
  ]

  static override flags = {
    cwd: sessionFlags.cwd,
    model: sessionFlags.model,
    'approval-mode': Flags.option({options: APPROVAL_MODES, description: 'When to ask before a tool runs.'})(),
    yolo: sessionFlags.yolo,
    network: sessionFlags.network,
    'allow-host': sessionFlags['allow-host'],
    'max-turns': Flags.integer({
      description: `Model turns allowed per message (default: settings model.maxSessionTurns, else ${DEFAULT_MAX_TURNS}).`,
      min: 1,
    }),
    reuse: sessionFlags.reuse,
    auth: sessionFlags.auth,
    'system-prompt': sessionFlags['system-prompt'],
    'append-system-prompt': sessionFlags['append-system-prompt'],
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Chat)
    if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
      throw new UserInputError('agent chat needs a terminal (stdin and stdout are not one)', {
        hint: 'In scripts and pipes use `agent run "<task>"`',
      })
    }
    // Folder trust's notices are shown in the transcript, after the trust question (src/interactive/chat-trust.ts).
    const config = await loadProjectConfig(flags, {onConfig: this.followConfigDebug, notices: 'shown-by-caller'})
    // Context files are read here, on the host, before the sandbox starts: they are text for the model, nothing more.
    const context = await loadRunContext(config, {logger: this.logger})
    const {tools, auth, sources} = await loadContributions(this.config, config)
    const cleanup = new SessionCleanup()
    const enabled = tools.enabled(config.settings.tools).map((tool) => tool.definition)
    // The tools given to the model: the static ones, plus those the open sandbox's sources list (MCP servers), which
    // are listed again in each new sandbox (after /discard).
    const turnTools = [...enabled]
    let discovered: SessionToolSources = NO_TOOL_SOURCES
    const openWithTools = async (signal: AbortSignal) => {
      const session = await openSandbox(config, {signal, logger: this.logger, cleanup, reuse: flags.reuse})
      await discovered[Symbol.asyncDispose]()
      discovered = await openSessionTools({
        sources,
        registry: tools,
        session,
        config,
        logger: this.logger,
        signal,
        report: (line) => this.logger.warn(line),
      })
      turnTools.splice(0, turnTools.length, ...enabled, ...discovered.enabled)
      return session
    }
    // /memory refresh and add read the files again; later conversations (and this one's system prompt) use them.
    let currentContext = context
    const memory = chatMemory(config, context, {logger: this.logger, onChange: (fresh) => (currentContext = fresh)})
    const sessions = createChatSessions({
      dataDir: this.config.dataDir,
      projectRoot: config.projectRoot,
      env: config.env,
      model: config.model,
      approvalMode: config.approvalMode,
      network:
        typeof config.sandbox.network === 'string' ? config.sandbox.network : describeNetwork(config.sandbox.network),
      retention: config.settings.general.sessionRetention,
      logger: this.logger,
    })
    const historyFile = path.join(this.config.dataDir, HISTORY_FILE_NAME)

    const code = await runChat({
      terminal: {input: process.stdin, output: process.stdout},
      config,
      registered: tools.list(),
      tools: turnTools,
      systemPrompt: () => runSystemPrompt(config, turnTools, currentContext, flags),
      toolSources: () => discovered,
      memory,
      sessions,
      limits: (model) => contextLimits(config, model, this.logger),
      auth,
      openSandbox: openWithTools,
      cleanup,
      logger: this.logger,
      maxTurns: config.maxTurns ?? DEFAULT_MAX_TURNS,
      history: new PromptHistory(await loadHistory(historyFile)),
      historyFile,
      color: !process.env.NO_COLOR && process.env.TERM !== 'dumb',
      version: this.config.version,
    })
    await discovered[Symbol.asyncDispose]()
    if (code !== ExitCode.ok) this.exit(code)
  }
}
