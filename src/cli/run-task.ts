// `agent run` behind its flags: start the sandbox while the model client is made, run the loop, render it, and end
// through the one end-of-run decision (finish-session.ts). Returns the exit code; the command only parses and calls.
import {randomUUID} from 'node:crypto'
import fs from 'node:fs/promises'

import type {Config as OclifConfig} from '@oclif/core'

import {createApprovals, type ApprovalMode} from '../agent/approvals.js'
import type {AgentEvent} from '../agent/events.js'
import {runAgent} from '../agent/run-agent.js'
import type {AgentConfig} from '../config/index.js'
import {ExitCode, isAgentError} from '../errors.js'
import type {Logger} from '../logging/logger.js'
import {createRenderer} from '../output/create-renderer.js'
import type {OutputFormat, Renderer} from '../output/renderer.js'
import {askChangesDecision, askSensitiveConfirmation, createTtyApprovalPrompter} from '../output/tty-prompts.js'
import {readCompatFlags, type CompatFlagValues, type CompatSettings} from '../protocols/compat-flags.js'
import {runSdkSession} from '../protocols/sdk/sdk-session.js'
import {newSessionId} from '../sandbox/lifecycle/session-names.js'
import type {SandboxSession} from '../sandbox/types.js'
import {heldBackHint} from '../session-end/apply-with-policy.js'
import {finishSession, type ChangesDecision} from '../session-end/finish-session.js'
import {NO_TOOL_SOURCES, type SessionToolSources} from '../tools/open-tool-sources.js'
import {serverStatuses} from '../tools/server-statuses.js'
import {contextLimits} from './context-limits.js'
import {Interrupts} from './interrupts.js'
import {OpeningSession} from './opening-session.js'
import {readPrompt} from './read-prompt.js'
import {DEFAULT_MAX_TURNS} from './session-flags.js'
import {
  assertProjectDirectory,
  loadContributions,
  loadProjectConfig,
  openSandbox,
  openSessionTools,
  resolveModelClient,
  type SessionFlags,
} from './run-wiring.js'
import {loadRunContext, runSystemPrompt} from './run-context.js'
import {FRESH_SANDBOX_NOTE, openConversation, type OpenedConversation} from '../sessions/index.js'
import {describeNetwork} from '../config/network-setting.js'

/** What `agent run` parsed: its flags and the PROMPT argument. */
export interface RunTaskFlags extends Omit<SessionFlags, 'approval-mode'>, CompatFlagValues {
  prompt?: string | undefined
  'prompt-file'?: string | undefined
  apply: boolean
  keep: boolean
  'apply-sensitive': boolean
  reuse: boolean
  'output-format': OutputFormat
  'include-partial-messages': boolean
  'system-prompt'?: string | undefined
  'append-system-prompt'?: string | undefined
  continue?: boolean | undefined
  resume?: string | undefined
}

export interface RunTaskOptions {
  flags: RunTaskFlags
  /** The PROMPT argument. */
  prompt: string | undefined
  /** oclif's config: plugins' hooks and the CLI's version. */
  oclif: OclifConfig
  logger: Logger
  /** Sees the loaded config first (the command raises its log level when the project's `.qwen/.env` sets DEBUG). */
  onConfig?: (config: AgentConfig) => void
}

/** The run's exit code, plus a line for stderr (how to get at kept changes). */
export interface RunTaskResult {
  exitCode: number
  hint?: string
}

export async function runTask({
  flags,
  prompt: promptArg,
  oclif,
  logger,
  onConfig,
}: RunTaskOptions): Promise<RunTaskResult> {
  const format = flags['output-format']
  const compat = readCompatFlags(flags)
  for (const notice of compat.unsupported) process.stderr.write(`Note: ${notice}\n`)
  const sessionId = compat.sessionId ?? randomUUID()
  const io = {stdout: process.stdout, stderr: process.stderr}
  // The MCP servers, once listed in the open session (the init message goes out after that).
  let discovered: SessionToolSources = NO_TOOL_SOURCES
  const renderer = createRenderer(format, io, {
    includePartialMessages: flags['include-partial-messages'],
    agentVersion: oclif.version,
    sessionId,
    notices: compat.unsupported,
    mcpServers: () => serverStatuses(discovered.entries),
    showColor: () => config?.settings.tools.shell.showColor === true,
  })
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true && !process.env.CI
  let started = false
  const emit = (event: AgentEvent) => {
    if (event.type === 'session_started') started = true
    renderer.handle(event)
  }

  const interrupts = new Interrupts()
  let config: AgentConfig | undefined
  try {
    if (compat.sdkMode) return await serveSdk({flags, compat, sessionId, oclif, logger, interrupts, onConfig})
    const prompt = await readPrompt(promptArg, flags.prompt, flags['prompt-file'])
    await assertProjectDirectory(flags.cwd ?? process.cwd())
    config = await loadProjectConfig(sessionFlags(flags, compat), {onConfig})
    const projectConfig = config
    // The sandbox starts as early as it can: its Docker round trips are idle time for this process. A resumed
    // conversation goes on in the sandbox its last run kept, so that open waits for the conversation.
    const resuming = Boolean(flags.continue || flags.resume)
    // A fresh session can be named now and handed to the loop still opening: the first model turn needs no container.
    const deferrable = !flags.reuse && !resuming && !(projectConfig.sandbox.warmPool > 0)
    const sandboxId = deferrable ? newSessionId() : undefined
    // Anything failing before the session is handed over cancels the start (and removes what it made).
    const startup = new AbortController()
    let dockerAnswered!: () => void
    const checked = new Promise<void>((resolve) => (dockerAnswered = resolve))
    const startSandbox = (previous?: string) => {
      const started = openSandbox(projectConfig, {
        signal: AbortSignal.any([interrupts.runSignal, startup.signal]),
        logger,
        cleanup: interrupts.cleanup,
        reuse: flags.reuse,
        previous,
        onFresh: (why) => process.stderr.write(`Note: ${why}; starting from a fresh copy of the project.\n`),
        sessionId: sandboxId,
        onChecked: dockerAnswered,
      })
      started.catch(() => undefined)
      return started
    }
    let opening = resuming ? undefined : startSandbox()

    let prepared: Awaited<ReturnType<typeof prepare>>
    let context: Awaited<ReturnType<typeof loadRunContext>>
    let conversation: OpenedConversation
    try {
      // Context files are read here, on the host: they are text for the model, nothing more.
      context = await loadRunContext(config, {logger, signal: interrupts.runSignal})
      conversation = await openConversation({
        dataDir: oclif.dataDir,
        projectRoot: config.projectRoot,
        env: config.env,
        command: 'run',
        title: prompt,
        model: config.model,
        approvalMode: config.approvalMode,
        network:
          typeof config.sandbox.network === 'string' ? config.sandbox.network : describeNetwork(config.sandbox.network),
        continue: flags.continue,
        resume: flags.resume,
        retention: config.settings.general.sessionRetention,
        logger,
      })
      if (conversation.resumed)
        process.stderr.write(
          `Resuming session ${conversation.recorder.id} (${conversation.resumed.summary.messages} messages)\n`,
        )
      opening ??= startSandbox(conversation.resumed?.sandboxSessionId)
      prepared = await prepare({oclif, config, interactive, interrupts, logger})
      prepared.systemPrompt = runSystemPrompt(config, prepared.enabled, context, flags)
      // No model request before Docker answered and the image is there: without them the run cannot do anything.
      await Promise.race([checked, opening])
    } catch (error) {
      startup.abort()
      await opening?.then(
        (session) => session[Symbol.asyncDispose](),
        () => undefined,
      )
      throw error
    }
    let session: SandboxSession
    if (sandboxId && prepared.sources.length === 0) {
      // Awaited at the first tool call (src/agent/run-agent.ts), or at the end of the run.
      session = new OpeningSession(sandboxId, await realProjectRoot(config.projectRoot), opening, () => startup.abort())
    } else {
      session = await opening
      // Tools listed in the open session (MCP servers): added to the static ones, closed when the run ends.
      discovered = await openSessionTools({...prepared, session, config, logger, signal: interrupts.runSignal})
      if (discovered.enabled.length > 0) {
        prepared.enabled = [...prepared.enabled, ...discovered.enabled]
        prepared.systemPrompt = runSystemPrompt(config, prepared.enabled, context, flags)
      }
    }
    conversation.recorder.sandbox(session.id)
    if (conversation.resumed && session.id === conversation.resumed.sandboxSessionId)
      process.stderr.write(
        `Re-opened the sandbox ${session.id} kept by the earlier run: its changes are still there.\n`,
      )
    if (conversation.messages && conversation.resumed?.sandboxSessionId !== session.id) {
      const note = {role: 'user' as const, content: FRESH_SANDBOX_NOTE}
      conversation.messages.push(note)
      conversation.recorder.message(note)
    }
    const outcome = await drive({
      conversation,
      ...prepared,
      config,
      session,
      emit,
      interactive,
      interrupts,
      format,
      flags,
      prompt,
      logger,
    }).finally(() => discovered[Symbol.asyncDispose]())
    // A signal took over the sessions: its line, not this run's, says what happened (and it ends the process).
    if (interrupts.exiting) await interrupts.exited
    renderer.finish()
    return outcome
  } catch (error) {
    reportFailure(error, {format, started, emit, renderer, flags, config, compat})
    throw error
  } finally {
    interrupts.dispose()
  }
}

/** In the JSON formats an error is still a `result` message on stdout; the one-line error goes to stderr as usual. */
function reportFailure(
  error: unknown,
  context: {
    format: OutputFormat
    started: boolean
    emit: (event: AgentEvent) => void
    renderer: Renderer
    flags: RunTaskFlags
    config: AgentConfig | undefined
    compat: CompatSettings
  },
): void {
  const {format, started, emit, renderer, flags, config, compat} = context
  if (isExit(error)) return
  if (format !== 'text') {
    if (!started)
      emit({
        type: 'session_started',
        sessionId: '',
        // What the run would have used (the auth failure is in the result): not blanks.
        model: config?.model ?? flags.model ?? '',
        cwd: flags.cwd ?? process.cwd(),
        tools: [],
        approvalMode: config?.approvalMode ?? compat.approvalMode?.mode ?? 'default',
      })
    const message = isAgentError(error) ? error.oneLine() : error instanceof Error ? error.message : String(error)
    emit({type: 'run_failed', message, turns: 0, usage: {inputTokens: 0, outputTokens: 0}, durationMs: 0})
    renderer.finish()
  } else if (started) {
    // The run's own summary first (how it ended), then the one error line of what went wrong after it.
    renderer.finish()
  }
}

/** Tools (built-in and plugins'), the model client from the chosen auth provider, and the approval policy. */
async function prepare(input: {
  oclif: OclifConfig
  config: AgentConfig
  interactive: boolean
  interrupts: Interrupts
  logger: Logger
}) {
  const {config, interactive, interrupts, logger} = input
  const {tools, auth, sources} = await loadContributions(input.oclif, config)
  const model = await resolveModelClient(auth, config, {logger, interactive, signal: interrupts.runSignal})
  const enabled = tools.enabled(config.settings.tools).map((tool) => tool.definition)
  const approvals = createApprovals({
    mode: config.approvalMode as ApprovalMode,
    ...(interactive ? {prompter: createTtyApprovalPrompter({input: process.stdin, output: process.stderr})} : {}),
  })
  return {model, enabled, approvals, systemPrompt: undefined as string | undefined, registry: tools, sources}
}

/** Runs the loop in an open session, then ends it through the one end-of-run decision. */
async function drive(input: {
  config: AgentConfig
  session: SandboxSession
  emit: (event: AgentEvent) => void
  interactive: boolean
  interrupts: Interrupts
  format: OutputFormat
  flags: {apply: boolean; keep: boolean; 'apply-sensitive': boolean}
  prompt: string
  model: Parameters<typeof runAgent>[0]['model']
  enabled: Parameters<typeof runAgent>[0]['tools']
  approvals: Parameters<typeof runAgent>[0]['approvals']
  systemPrompt: string | undefined
  conversation: OpenedConversation
  logger: Logger
}): Promise<RunTaskResult> {
  const {config, interrupts, flags, logger} = input
  let session = input.session
  // While the sandbox still opens, what the run shows is held back: an open that fails is then the run's only output
  // (one error line), as when it failed before the first model request.
  let held: AgentEvent[] | undefined = session instanceof OpeningSession && session.opening ? [] : undefined
  const release = () => {
    const events = held ?? []
    held = undefined
    for (const event of events) input.emit(event)
  }
  if (held && session instanceof OpeningSession) session.ready.then(release, () => undefined)
  const emit = (event: AgentEvent) => (held ? held.push(event) : input.emit(event))
  let end: Extract<AgentEvent, {type: 'run_finished' | 'run_failed'}> | undefined
  try {
    const run = runAgent({
      model: input.model,
      tools: input.enabled,
      session,
      ...(session instanceof OpeningSession ? {sandboxReady: session.ready} : {}),
      approvals: input.approvals,
      signal: interrupts.runSignal,
      maxTurns: config.maxTurns ?? DEFAULT_MAX_TURNS,
      prompt: input.prompt,
      ...(input.systemPrompt !== undefined ? {systemPrompt: input.systemPrompt} : {}),
      ...(input.conversation.messages ? {conversation: input.conversation.messages} : {}),
      recorder: input.conversation.recorder,
      ...contextLimits(config, input.model.model, logger),
      logger,
      cwd: config.projectRoot,
    })
    interrupts.onFirst(() => run.cancelCurrentTool())
    for await (const event of run) {
      if (event.type === 'run_finished' || event.type === 'run_failed') end = event
      emit(event)
    }
  } catch (error) {
    if (interrupts.exiting) await interrupts.exited
    // The loop itself failed: the session is still let go of (removed, or warm with --reuse); one still opening
    // is stopped.
    if (session instanceof OpeningSession)
      await (await session.settle(true).catch(() => undefined))?.[Symbol.asyncDispose]()
    else await session[Symbol.asyncDispose]()
    throw error
  }
  if (interrupts.exiting) await interrupts.exited
  if (session instanceof OpeningSession) {
    // No tool needed the sandbox before the run ended: the open is awaited all the same (its failure is still the
    // run's one error line, as before any model request); one stopped by Ctrl-C has nothing to collect.
    const open = await session.settle(interrupts.runSignal.aborted)
    if (!open) {
      release()
      return {exitCode: runExitCode(end)}
    }
    session = open
  }
  const exitCode = runExitCode(end)
  const completed = exitCode === ExitCode.ok

  const network = session.networkSummary?.()
  if (network) emit({type: 'network_summary', summary: network})
  const tty = {input: process.stdin, output: process.stderr}
  // The second confirmation is asked only of someone who was asked the first: --apply alone never asks.
  let asked = false
  const finished = await finishSession({
    session,
    logger,
    keepWhenRefused: false,
    allowSensitive: flags['apply-sensitive'],
    confirmSensitive: async (lines) => asked && askSensitiveConfirmation(tty, lines),
    onChanges: (changes) => emit({type: 'changes_ready', changes}),
    decide: async (changes): Promise<ChangesDecision> => {
      if (flags.apply && completed) return 'apply'
      if (flags.keep || flags.apply) return 'keep'
      if (input.interactive && input.format === 'text') {
        asked = true
        return askChangesDecision(tty, changes.changes.length)
      }
      return 'keep'
    },
  })
  const reviewLater =
    `review with \`agent diff ${session.id}\`, then ` +
    `\`agent apply ${session.id}\` or \`agent discard ${session.id}\`.\n`
  switch (finished.outcome) {
    case 'unreadable':
      return {
        exitCode: completed ? ExitCode.failure : exitCode,
        hint: `The sandbox stopped before its changes could be read, so nothing was applied. It is kept: ${reviewLater}`,
      }
    case 'applied': {
      emit({type: 'changes_applied', report: finished.report})
      const {report} = finished
      const heldBack = (report.heldBack?.length ?? 0) > 0
      const notApplied = (report.unreadable?.length ?? 0) > 0 || report.overLimit !== undefined
      const failed = report.refused.length > 0 || heldBack || notApplied
      const hint = heldBack
        ? heldBackHint(session.id)
        : notApplied
          ? `Some changes were not applied; the sandbox is kept (stopped): ${reviewLater}`
          : undefined
      return {exitCode: failed && completed ? ExitCode.failure : exitCode, ...(hint ? {hint} : {})}
    }
    case 'kept': {
      const why =
        end?.type === 'run_failed'
          ? 'The run failed, so nothing was applied. '
          : flags.apply && !completed
            ? 'The run did not complete, so nothing was applied. '
            : ''
      return {exitCode, hint: `${why}The sandbox is kept (stopped): ${reviewLater}`}
    }
    default:
      return {exitCode}
  }
}

/** How the loop ended, as the process's exit code. */
function runExitCode(end: Extract<AgentEvent, {type: 'run_finished' | 'run_failed'}> | undefined): number {
  return end?.type === 'run_finished' && end.reason === 'completed'
    ? ExitCode.ok
    : end?.type === 'run_finished' && end.reason === 'canceled'
      ? ExitCode.interrupted
      : ExitCode.failure
}

/** The project directory as the engine records it (symlinks resolved); as given when that fails (the open says why). */
async function realProjectRoot(dir: string): Promise<string> {
  return fs.realpath(dir).catch(() => dir)
}

/** SDK mode (--input-format stream-json): src/protocols/sdk serves the conversation; this wires it. */
async function serveSdk(input: {
  flags: RunTaskFlags
  compat: CompatSettings
  sessionId: string
  oclif: OclifConfig
  logger: Logger
  interrupts: Interrupts
  onConfig: RunTaskOptions['onConfig']
}): Promise<RunTaskResult> {
  const {flags, compat, oclif, logger, interrupts} = input
  const config = await loadProjectConfig(sessionFlags(flags, compat), {onConfig: input.onConfig})
  const context = await loadRunContext(config, {logger, signal: interrupts.runSignal})
  const signal = interrupts.runSignal
  let discovered: SessionToolSources = NO_TOOL_SOURCES
  let sessionOpened!: (session: SandboxSession) => void
  let sessionFailed!: (error: unknown) => void
  const opened = new Promise<SandboxSession>((resolve, reject) => {
    sessionOpened = resolve
    sessionFailed = reject
  })
  opened.catch(() => undefined)
  return runSdkSession({
    input: process.stdin,
    output: process.stdout,
    stderr: process.stderr,
    logger,
    sessionId: input.sessionId,
    agentVersion: oclif.version,
    includePartialMessages: flags['include-partial-messages'],
    notices: [...compat.unsupported],
    mcpServers: () => serverStatuses(discovered.entries),
    askClient: compat.askClient,
    approvalMode: config.approvalMode,
    maxTurns: config.maxTurns ?? DEFAULT_MAX_TURNS,
    cwd: config.projectRoot,
    apply: flags.apply,
    keep: flags.keep,
    systemPrompt: (tools) => runSystemPrompt(config, tools, context, flags),
    modelName: config.model ?? '',
    // The session's own tools (MCP servers) are listed once it is open, so tools are ready when both are.
    prepare: async () => {
      const prepared = await prepare({oclif, config, interactive: false, interrupts, logger})
      discovered = await openSessionTools({...prepared, session: await opened, config, logger, signal})
      return {model: prepared.model, tools: [...prepared.enabled, ...discovered.enabled]}
    },
    openSandbox: (startSignal) => {
      const opening = openSandbox(config, {
        signal: startSignal,
        logger,
        cleanup: interrupts.cleanup,
        reuse: flags.reuse,
      })
      opening.then(sessionOpened, sessionFailed)
      return opening
    },
    signal,
  }).finally(() => discovered[Symbol.asyncDispose]())
}

/** The flags of this run, with the SDK-compatible ones (tools lists, permission-mode names) mapped. */
function sessionFlags(flags: RunTaskFlags, compat: CompatSettings): SessionFlags {
  return {
    ...flags,
    'approval-mode': compat.approvalMode?.mode,
    coreTools: compat.coreTools,
    excludeTools: compat.excludeTools,
  }
}

/** An oclif exit (this.exit) passing through, not a failure of the run. */
function isExit(error: unknown): boolean {
  return (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit !== undefined && !isAgentError(error)
}
