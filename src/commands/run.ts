// `agent run [PROMPT]`: parse flags, then wire config -> tools -> model -> sandbox -> agent loop -> renderer -> changes.
import fs from 'node:fs/promises'

import {Args, Flags} from '@oclif/core'

import {APPROVAL_MODES, createApprovals, type ApprovalMode} from '../agent/approvals.js'
import type {AgentEvent} from '../agent/events.js'
import {runAgent} from '../agent/run-agent.js'
import {BaseCommand} from '../cli/base-command.js'
import type {AgentConfig} from '../config/index.js'
import {AgentError, ExitCode, UserInputError, isAgentError} from '../errors.js'
import {createRenderer} from '../output/create-renderer.js'
import {OUTPUT_FORMATS, type OutputFormat, type Renderer} from '../output/renderer.js'
import {askChangesDecision, createTtyApprovalPrompter} from '../output/tty-prompts.js'
import {isDockerConnectionError} from '../sandbox/docker-client.js'
import type {ChangeSet, SandboxSession} from '../sandbox/types.js'
import {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import {
  assertProjectDirectory,
  fileProblem,
  loadContributions,
  loadSessionConfig,
  openSandbox,
  reportConfigNotices,
} from '../cli/run-wiring.js'

/** Without --max-turns or model.maxSessionTurns a run still ends: a model stuck in a loop costs money. */
const DEFAULT_MAX_TURNS = 50

export default class Run extends BaseCommand<typeof Run> {
  static override summary = 'Run the agent on a task; every command it runs executes in a Docker sandbox'
  static override description = [
    `The project (the current directory or --cwd) is copied into a fresh sandbox container at /workspace. The agent works on the copy; your files change only when you apply its changes: with --apply, by answering "apply" at the end on a terminal, or later with \`agent apply <session-id>\`.`,
    `Approval (--approval-mode): in a non-interactive run (no terminal, CI, piped) tools that act only inside the sandbox run without asking, and a tool that would act on the host is refused unless --approval-mode yolo. On a terminal, "default" asks before each shell command and edit, "auto-edit" asks only before shell commands, "yolo" never asks. The container is the security boundary; approval is about your intent.`,
    `Output: "text" streams the model's answer to stdout and the work (tool calls, their live output, a summary) to stderr, so stdout stays clean for piping. "stream-json" writes one JSON message per line (Qwen Code / Claude Code SDK shapes); "json" writes the same messages as one array at the end.`,
    `Ctrl-C once stops the running command (the agent is told, and goes on); twice ends the run.`,
    `Exit codes: 0 success, 1 the run failed or ended with an error result (max turns), 2 bad input, 3 Docker, 4 auth, 130 cancelled.`,
  ].join('\n\n')

  static override examples = [
    {
      description: 'Fix the tests; review the changes at the end',
      command: '<%= config.bin %> <%= command.id %> "make the tests pass"',
    },
    {
      description: 'Apply the changes to the project without asking',
      command: '<%= config.bin %> <%= command.id %> --apply -p "add a --verbose flag"',
    },
    {
      description: 'Machine-readable, one JSON message per line',
      command: '<%= config.bin %> <%= command.id %> -o stream-json "explain src/main.ts"',
    },
    {description: 'The prompt from a pipe', command: 'cat task.md | <%= config.bin %> <%= command.id %> --cwd ../app'},
  ]

  static override args = {
    prompt: Args.string({
      description: 'The task. Also -p/--prompt, --prompt-file, or stdin when piped.',
      required: false,
    }),
  }

  static override flags = {
    prompt: Flags.string({char: 'p', description: 'The task (instead of the PROMPT argument).'}),
    'prompt-file': Flags.string({description: 'Read the task from this file.', exclusive: ['prompt']}),
    cwd: Flags.string({description: 'Project directory to work on (default: the current directory).'}),
    model: Flags.string({char: 'm', description: 'Model name (overrides OPENAI_MODEL and settings model.name).'}),
    'max-turns': Flags.integer({
      description: `Stop after this many model turns (default: settings model.maxSessionTurns, else ${DEFAULT_MAX_TURNS}).`,
      min: 1,
    }),
    'approval-mode': Flags.option({options: APPROVAL_MODES, description: 'When to ask before a tool runs.'})(),
    yolo: Flags.boolean({char: 'y', description: 'Same as --approval-mode yolo.', exclusive: ['approval-mode']}),
    network: Flags.boolean({description: 'Give the sandbox network access (default: none).', allowNo: true}),
    apply: Flags.boolean({
      description: 'Apply the changes to the project when the run completes.',
      exclusive: ['keep'],
    }),
    reuse: Flags.boolean({
      description:
        'Start in a warm sandbox of this project left by an earlier --reuse run (faster), and leave it warm.',
    }),
    keep: Flags.boolean({
      description: 'Keep the stopped sandbox for `agent diff|apply|discard` instead of deciding now.',
    }),
    'output-format': Flags.option({
      char: 'o',
      options: OUTPUT_FORMATS,
      default: 'text' as const,
      description: 'How to print the run.',
    })(),
    'include-partial-messages': Flags.boolean({
      description: 'With stream-json: also emit partial stream_event messages.',
    }),
    auth: Flags.string({description: 'Authentication provider id (e.g. openai-compatible).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Run)
    const format: OutputFormat = flags['output-format']
    const io = {stdout: process.stdout, stderr: process.stderr}
    const renderer = createRenderer(format, io, {
      includePartialMessages: flags['include-partial-messages'],
      agentVersion: this.config.version,
    })
    const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true && !process.env.CI
    let started = false
    const emit = (event: AgentEvent) => {
      if (event.type === 'session_started') started = true
      renderer.handle(event)
    }

    const interrupts = new Interrupts()
    try {
      const prompt = await readPrompt(args.prompt, flags.prompt, flags['prompt-file'])
      await assertProjectDirectory(flags.cwd ?? process.cwd())
      const config = loadSessionConfig(flags)
      await assertProjectDirectory(config.projectRoot)
      reportConfigNotices(config)

      // The sandbox starts now, while plugins load and the model client is made: its Docker round trips are idle time
      // for this process. Anything failing before the session is awaited cancels the start (and removes what it made).
      const startup = new AbortController()
      const opening = openSandbox(config, {
        signal: AbortSignal.any([interrupts.runSignal, startup.signal]),
        logger: this.logger,
        cleanup: interrupts.cleanup,
        reuse: flags.reuse,
      })
      opening.catch(() => undefined)

      let prepared: Awaited<ReturnType<typeof this.prepare>>
      try {
        prepared = await this.prepare(config, interactive, interrupts)
      } catch (error) {
        startup.abort()
        await opening.then(
          (session) => session[Symbol.asyncDispose](),
          () => undefined,
        )
        throw error
      }
      const session = await opening
      const {model, enabled, approvals} = prepared
      const outcome = await this.drive({
        config,
        session,
        renderer,
        emit,
        interactive,
        interrupts,
        format,
        flags,
        prompt,
        model,
        enabled,
        approvals,
      })
      renderer.finish()
      if (outcome.hint) process.stderr.write(outcome.hint)
      if (outcome.exitCode !== ExitCode.ok) this.exit(outcome.exitCode)
    } catch (error) {
      // In the JSON formats an error is still a `result` message on stdout; the one-line error goes to stderr as usual.
      if (format !== 'text' && !isExit(error)) {
        if (!started)
          emit({
            type: 'session_started',
            sessionId: '',
            model: flags.model ?? '',
            cwd: flags.cwd ?? process.cwd(),
            tools: [],
            approvalMode: 'default',
          })
        const message = isAgentError(error) ? error.oneLine() : error instanceof Error ? error.message : String(error)
        emit({type: 'run_failed', message, turns: 0, usage: {inputTokens: 0, outputTokens: 0}, durationMs: 0})
        renderer.finish()
      } else if (format === 'text' && started && !isExit(error)) {
        // The run's own summary first (how it ended), then the one error line of what went wrong after it.
        renderer.finish()
      }
      throw error
    } finally {
      interrupts.dispose()
    }
  }

  /** Tools (built-in and plugins'), the model client from the chosen auth provider, and the approval policy. */
  private async prepare(config: AgentConfig, interactive: boolean, interrupts: Interrupts) {
    const {tools, auth} = await loadContributions(this.config, config)
    const model = await auth.resolveClient(
      {...config, logger: this.logger},
      {
        interactive,
        io: {info: (line) => process.stderr.write(`${line}\n`), interactive, signal: interrupts.runSignal},
      },
    )
    const enabled = tools.enabled(config.settings.tools).map((tool) => tool.definition)
    const approvals = createApprovals({
      mode: config.approvalMode as ApprovalMode,
      ...(interactive ? {prompter: createTtyApprovalPrompter({input: process.stdin, output: process.stderr})} : {}),
    })
    return {model, enabled, approvals}
  }

  /** Runs the loop in an open session, then decides what happens to the changes; always closes or keeps the container. */
  private async drive(input: {
    config: AgentConfig
    session: SandboxSession
    renderer: Renderer
    emit: (event: AgentEvent) => void
    interactive: boolean
    interrupts: Interrupts
    format: OutputFormat
    flags: {apply: boolean; keep: boolean}
    prompt: string
    model: Parameters<typeof runAgent>[0]['model']
    enabled: Parameters<typeof runAgent>[0]['tools']
    approvals: Parameters<typeof runAgent>[0]['approvals']
  }): Promise<{exitCode: number; hint?: string}> {
    const {config, session, emit, interrupts, flags} = input
    let keep = false
    try {
      const run = runAgent({
        model: input.model,
        tools: input.enabled,
        session,
        approvals: input.approvals,
        signal: interrupts.runSignal,
        maxTurns: config.maxTurns ?? DEFAULT_MAX_TURNS,
        prompt: input.prompt,
        logger: this.logger,
        cwd: config.projectRoot,
      })
      interrupts.onFirst(() => run.cancelCurrentTool())
      let end: Extract<AgentEvent, {type: 'run_finished' | 'run_failed'}> | undefined
      for await (const event of run) {
        if (event.type === 'run_finished' || event.type === 'run_failed') end = event
        emit(event)
      }
      const exitCode =
        end?.type === 'run_finished' && end.reason === 'completed'
          ? ExitCode.ok
          : end?.type === 'run_finished' && end.reason === 'canceled'
            ? ExitCode.interrupted
            : ExitCode.failure

      let changes: ChangeSet
      try {
        changes = await session.changes()
      } catch (error) {
        // The container died (killed, or Docker went away): what the agent changed is still in its workspace volume.
        this.logger.warn({err: error, session: session.id}, 'could not read the changes')
        keep = true
        return {
          exitCode: exitCode === ExitCode.ok ? ExitCode.failure : exitCode,
          hint:
            `The sandbox stopped before its changes could be read, so nothing was applied. It is kept: review with ` +
            `\`agent diff ${session.id}\`, then \`agent apply ${session.id}\` or \`agent discard ${session.id}\`.\n`,
        }
      }
      emit({type: 'changes_ready', changes})
      if (changes.changes.length === 0) return {exitCode}

      const completed = exitCode === ExitCode.ok
      let decision: 'apply' | 'keep' | 'discard' = 'keep'
      if (flags.apply && completed) decision = 'apply'
      else if (flags.keep || flags.apply) decision = 'keep'
      else if (input.interactive && input.format === 'text') {
        decision = await askChangesDecision({input: process.stdin, output: process.stderr}, changes.changes.length)
      }

      if (decision === 'apply') {
        const report = await session.apply(changes)
        emit({type: 'changes_applied', report})
        return {exitCode: report.refused.length > 0 && exitCode === ExitCode.ok ? ExitCode.failure : exitCode}
      }
      if (decision === 'discard') return {exitCode}
      keep = true
      const why =
        end?.type === 'run_failed'
          ? 'The run failed, so nothing was applied. '
          : flags.apply && !completed
            ? 'The run did not complete, so nothing was applied. '
            : ''
      return {
        exitCode,
        hint:
          `${why}The sandbox is kept (stopped): review with \`agent diff ${session.id}\`, then ` +
          `\`agent apply ${session.id}\` or \`agent discard ${session.id}\`.\n`,
      }
    } finally {
      // Not kept: removed, or left warm when opened with --reuse (the session knows which).
      if (keep) await keepOrExplain(session)
      else await session[Symbol.asyncDispose]()
    }
  }
}

/**
 * Stops and keeps a session whose changes were not applied. When Docker itself is gone the container cannot even be
 * stopped: the host record stays, and the one error line says how to get the changes once Docker is back.
 */
async function keepOrExplain(session: SandboxSession): Promise<void> {
  try {
    await session.keep()
  } catch (error) {
    const what = isAgentError(error) ? error.message : error instanceof Error ? error.message : String(error)
    const exitCode = isAgentError(error) ? error.exitCode : ExitCode.failure
    const unreachable = isDockerConnectionError((error as {cause?: unknown}).cause)
    throw new AgentError(`${what}; nothing was applied`, {
      hint:
        `The changes of session ${session.id} stay in its sandbox: ${unreachable ? 'once Docker is back, ' : ''}` +
        `review with \`agent diff ${session.id}\``,
      exitCode,
      cause: error,
    })
  }
}

/** The prompt from the argument, -p, --prompt-file, or stdin when it is piped; empty is a user error. */
async function readPrompt(
  arg: string | undefined,
  flag: string | undefined,
  file: string | undefined,
): Promise<string> {
  if (arg !== undefined && flag !== undefined) {
    throw new UserInputError('Give the prompt once: as the argument or with -p/--prompt, not both')
  }
  let prompt = arg ?? flag
  if (prompt === undefined && file !== undefined) {
    try {
      prompt = await fs.readFile(file, 'utf8')
    } catch (error) {
      throw new UserInputError(`Cannot read --prompt-file ${file}: ${fileProblem(error)}`, {
        hint: 'Check the path, or pass the task with -p',
      })
    }
  }
  if (prompt === undefined && process.stdin.isTTY !== true) prompt = await readStdin()
  if (prompt === undefined || prompt.trim() === '') {
    throw new UserInputError('No prompt given', {
      hint: 'Pass the task as an argument, with -p, with --prompt-file, or on stdin',
    })
  }
  return prompt.trim()
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = []
  for await (const part of process.stdin) parts.push(part as Buffer)
  return Buffer.concat(parts).toString('utf8')
}

/** The project must be a directory this process can list (root can list anything; others may hit permissions). */
function isExit(error: unknown): boolean {
  return (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit !== undefined && !isAgentError(error)
}

/**
 * Ctrl-C: the first stops the running tool call (when one runs), the next ends the run, one more removes the sandbox
 * and exits at once. The run signal also stops a sandbox that is still starting. SIGTERM/SIGHUP clean up and exit.
 */
class Interrupts {
  readonly cleanup = new SessionCleanup()
  private readonly controller = new AbortController()
  private count = 0
  private first: (() => boolean) | undefined
  private readonly handler = () => this.interrupt()
  private readonly uninstall: () => void

  constructor() {
    process.on('SIGINT', this.handler)
    this.uninstall = this.cleanup.installSignalHandlers({signals: ['SIGTERM', 'SIGHUP']})
  }

  get runSignal(): AbortSignal {
    return this.controller.signal
  }

  onFirst(cancelCurrent: () => boolean): void {
    this.first = cancelCurrent
  }

  private interrupt(): void {
    this.count += 1
    if (!this.controller.signal.aborted && this.count === 1 && this.first?.()) {
      process.stderr.write('\nStopping the running command (Ctrl-C again to end the run)\n')
      return
    }
    if (!this.controller.signal.aborted) {
      process.stderr.write('\nEnding the run (Ctrl-C again to exit at once)\n')
      this.controller.abort(new DOMException('Cancelled by user', 'AbortError'))
      return
    }
    process.stderr.write('\nRemoving the sandbox and exiting\n')
    void this.cleanup.runAll().finally(() => process.exit(ExitCode.interrupted))
  }

  dispose(): void {
    process.removeListener('SIGINT', this.handler)
    this.uninstall()
  }
}
