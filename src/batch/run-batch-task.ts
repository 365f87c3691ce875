// One task of a batch: its project, a fresh sandbox, the agent loop, the transcript, the patch and the result; never
// applied to the host, and the sandbox always removed.
import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import {createApprovals, type ApprovalMode} from '../agent/approvals.js'
import type {AgentEvent} from '../agent/events.js'
import type {ModelClient} from '../agent/model-client.js'
import {runAgent} from '../agent/run-agent.js'
import {loadRunContext, runSystemPrompt} from '../cli/run-context.js'
import {loadConfig, type AgentConfig, type ConfigFlags} from '../config/index.js'
import {sandboxSettingsSchema, type SandboxSettings} from '../config/schema.js'
import {AgentError, ExitCode, isAgentError} from '../errors.js'
import type {Logger} from '../logging/logger.js'
import {StreamJsonTranslator} from '../output/stream-json-translator.js'
import type {StreamJsonMessage} from '../output/stream-json-schema.js'
import {WORKSPACE_DIR} from '../sandbox/lifecycle/container-spec.js'
import type {ChangeSet, OpenOptions, SandboxEngine, SandboxSession} from '../sandbox/types.js'
import type {ToolDefinition} from '../tools/types.js'
import {FILES} from './batch-output.js'
import type {BatchTask} from './task-file.js'
import {makeTaskPatch} from './task-patch.js'
import {openTaskWorkspace, TaskSourceError} from './task-workspace.js'

export interface TaskContext {
  engine: SandboxEngine
  /** The batch's one shared model client (a task's own model name goes through withModel). */
  model: ModelClient & {withModel?(name: string): ModelClient}
  /** The tools the batch loaded (host-acting tools are never given to a batch task). */
  tools: (settings: AgentConfig['settings']['tools']) => readonly ToolDefinition<unknown>[]
  /** The batch's flags; a task's own overrides win. */
  flags: ConfigFlags
  home: string
  env: Readonly<Record<string, string | undefined>>
  agentVersion: string
  logger: Logger
  defaultMaxTurns: number
}

/** How one attempt ended. `lost`: the sandbox went away under the task (a node died): worth another attempt. */
export interface TaskAttempt {
  status: 'success' | 'max_turns' | 'failed' | 'canceled'
  lost?: string
  /** Failed before any sandbox started for a reason another attempt may not have (Docker or a node unreachable). */
  engineFailure?: boolean
  error?: string
  turns: number
  usage: {inputTokens: number; outputTokens: number}
  durationMs: number
  filesChanged: number
  leftOut: string[]
  node?: string
  /** The stream-json `result` message (also the transcript's last line). */
  result: StreamJsonMessage
}

export async function runBatchTask(
  task: BatchTask,
  dir: string,
  context: TaskContext,
  options: {signal: AbortSignal; placement?: OpenOptions['placement']},
): Promise<TaskAttempt> {
  const started = Date.now()
  const transcript = fs.createWriteStream(path.join(dir, FILES.transcript))
  const translator = new StreamJsonTranslator({sessionId: randomUUID(), agentVersion: context.agentVersion})
  const write = (message: StreamJsonMessage) => transcript.write(`${JSON.stringify(message)}\n`)
  let end: Extract<AgentEvent, {type: 'run_finished' | 'run_failed'}> | undefined
  let sessionStarted = false
  const emit = (event: AgentEvent) => {
    if (event.type === 'session_started') sessionStarted = true
    if (event.type === 'run_finished' || event.type === 'run_failed') end = event
    for (const message of translator.translate(event)) write(message)
  }
  // A sandbox that went away (its container or node died) ends the run at once: nothing more can happen in it.
  const lostRun = new AbortController()
  let lost: string | undefined
  let session: SandboxSession | undefined
  let changes: ChangeSet | undefined
  let leftOut: string[] = []
  let failure: unknown
  let model = ''
  try {
    await using workspace = await openTaskWorkspace(task, options.signal)
    const config = taskConfig(task, workspace.dir, context)
    model = task.overrides.model ?? config.model ?? context.model.model
    const notices = [...config.trust.notices]
    const runContext = await loadRunContext(config, {
      logger: context.logger,
      signal: options.signal,
      report: (line) => notices.push(line),
    })
    const tools = context.tools(config.settings.tools)
    const sandbox = sandboxSettings(config, task)
    session = await context.engine.open(workspace.dir, sandbox, {
      signal: options.signal,
      ...(options.placement ? {placement: options.placement} : {}),
    })
    const signal = AbortSignal.any([options.signal, lostRun.signal])
    const run = runAgent({
      model: model && context.model.withModel ? context.model.withModel(model) : context.model,
      tools,
      session,
      approvals: createApprovals({mode: config.approvalMode as ApprovalMode}),
      signal,
      maxTurns: config.maxTurns ?? context.defaultMaxTurns,
      prompt: task.prompt,
      systemPrompt: runSystemPrompt(config, tools, runContext, {}),
      logger: context.logger.child({task: task.id}),
      cwd: workspace.dir,
    })
    for await (const event of run) {
      if (event.type === 'tool_call_finished' && event.exec?.containerGone && !lost) {
        lost = `the sandbox went away during ${event.name}${session.location ? ` on ${session.location}` : ''}`
        lostRun.abort(new Error(lost))
      }
      emit(event)
    }
    if (!lost && !options.signal.aborted) {
      changes = await session.changes()
      emit({type: 'changes_ready', changes})
      const patch = await makeTaskPatch(changes, workspace.dir, (rel) =>
        session!.readFile(path.posix.join(WORKSPACE_DIR, rel)),
      )
      leftOut = patch.leftOut.map((entry) => `${entry.path} (${entry.reason})`)
      await fs.promises.writeFile(path.join(dir, FILES.patch), patch.text)
    }
  } catch (error) {
    failure = error
    if (session && !lost && isGone(session))
      lost = `the sandbox went away${session.location ? ` on ${session.location}` : ''}`
  } finally {
    await session?.close().catch((error: unknown) => context.logger.warn({err: error, task: task.id}, 'close failed'))
  }
  const canceled = options.signal.aborted
  const message = failure === undefined ? undefined : describe(failure)
  if (!sessionStarted)
    emit({
      type: 'session_started',
      sessionId: session?.id ?? '',
      model,
      cwd: task.source.kind === 'dir' ? task.source.path : task.source.url,
      tools: [],
      approvalMode: context.flags.approvalMode ?? 'default',
    })
  const usage = end?.usage ?? {inputTokens: 0, outputTokens: 0}
  const turns = end?.turns ?? 0
  if (lost || message !== undefined) {
    if (end?.type !== 'run_failed')
      emit({type: 'run_failed', message: lost ?? message!, turns, usage, durationMs: Date.now() - started})
  }
  const result = translator.result()
  write(result)
  await new Promise<void>((resolve) => transcript.end(resolve))
  const status: TaskAttempt['status'] = canceled
    ? 'canceled'
    : lost || message !== undefined || end?.type === 'run_failed'
      ? 'failed'
      : end?.type === 'run_finished' && end.reason === 'max_turns'
        ? 'max_turns'
        : end?.type === 'run_finished' && end.reason === 'completed'
          ? 'success'
          : 'failed'
  return {
    status,
    ...(lost ? {lost} : {}),
    ...(!session && isEngineFailure(failure) ? {engineFailure: true} : {}),
    ...(lost || message !== undefined || end?.type === 'run_failed'
      ? {error: lost ?? message ?? (end as {message: string}).message}
      : {}),
    turns,
    usage,
    durationMs: Date.now() - started,
    filesChanged: changes?.changes.length ?? 0,
    leftOut,
    ...(session?.location ? {node: session.location} : nodeOf(failure) ? {node: nodeOf(failure)!} : {}),
    result,
  }
}

/** The task's config: its project's settings (with folder trust), the batch's flags, then the task's overrides. */
function taskConfig(task: BatchTask, dir: string, context: TaskContext): AgentConfig {
  const {overrides} = task
  return loadConfig({
    cwd: dir,
    home: context.home,
    env: context.env,
    flags: {
      ...context.flags,
      ...(overrides.model ? {model: overrides.model} : {}),
      ...(overrides.maxTurns ? {maxTurns: overrides.maxTurns} : {}),
      ...(overrides.approvalMode ? {approvalMode: overrides.approvalMode} : {}),
    },
  })
}

function sandboxSettings(config: AgentConfig, task: BatchTask): SandboxSettings {
  const {network, sandbox} = task.overrides
  if (network === undefined && sandbox === undefined) return config.sandbox
  return sandboxSettingsSchema.parse({...config.sandbox, ...sandbox, ...(network !== undefined ? {network} : {})})
}

/** The node an engine failure names (a Swarm node that was down). */
function nodeOf(error: unknown): string | undefined {
  const node = (error as {node?: unknown} | undefined)?.node
  return typeof node === 'string' ? node : undefined
}

function isGone(session: SandboxSession): boolean {
  return session.lost?.() !== undefined
}

function isEngineFailure(error: unknown): boolean {
  return isAgentError(error) && error.exitCode === ExitCode.docker
}

function describe(error: unknown): string {
  if (error instanceof TaskSourceError) return error.message
  if (error instanceof AgentError) return error.oneLine()
  return error instanceof Error ? error.message : String(error)
}
