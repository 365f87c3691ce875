// SDK mode (`--input-format stream-json`): user messages and control requests arrive on stdin as JSON lines; one
// sandbox and one conversation serve them all, each user message a run of the same agent loop, rendered as stream-json.
import {randomUUID} from 'node:crypto'
import readline from 'node:readline'

import {createApprovals, type ApprovalMode} from '../../agent/approvals.js'
import type {AgentEvent} from '../../agent/events.js'
import type {ModelClient, ModelMessage} from '../../agent/model-client.js'
import {runAgent} from '../../agent/run-agent.js'
import {finishSession} from '../../session-end/finish-session.js'
import {isAgentError} from '../../errors.js'
import type {Logger} from '../../logging/logger.js'
import type {OutputSink} from '../../output/renderer.js'
import type {StreamJsonMessage} from '../../output/stream-json-schema.js'
import {StreamJsonTranslator, type McpServerStatus} from '../../output/stream-json-translator.js'
import type {SandboxSession} from '../../sandbox/types.js'
import type {ToolDefinition} from '../../tools/types.js'
import {mapPermissionMode} from '../permission-modes.js'
import {switchableModel, type SwitchableModel} from '../switchable-model.js'
import {ControlChannel} from './control-channel.js'
import {parseInbound, type ControlRequest} from './inbound-messages.js'
import {createSdkPrompter} from './sdk-prompter.js'

export interface SdkSessionOptions {
  input: NodeJS.ReadableStream
  output: OutputSink
  stderr: OutputSink
  logger: Logger
  /** The conversation id reported as session_id. */
  sessionId: string
  agentVersion: string
  includePartialMessages: boolean
  /** Flags we could not honour; more may come from the initialize request. Said once in init and on stderr. */
  notices: string[]
  /** The MCP servers for the init message (listed by `prepare`, before the first turn). */
  mcpServers?: () => readonly McpServerStatus[]
  /** Ask the SDK (can_use_tool) before tools run, as the approval mode says. */
  askClient: boolean
  approvalMode: ApprovalMode
  maxTurns: number
  cwd: string
  apply: boolean
  keep: boolean
  /** The system prompt for these tools (--system-prompt, context files...); the initialize request may replace it. */
  systemPrompt: (tools: readonly ToolDefinition<unknown>[]) => string
  /** The model asked for, reported when nothing can start (auth failed). */
  modelName: string
  /** The model client and enabled tools (auth, plugins): awaited before the first turn. */
  prepare(): Promise<{model: ModelClient; tools: ToolDefinition<unknown>[]}>
  /** Opens the sandbox (started at once, awaited before the first turn). */
  openSandbox(signal: AbortSignal): Promise<SandboxSession>
  /** Ends everything (the process was told to stop). */
  signal: AbortSignal
}

export interface SdkSessionOutcome {
  exitCode: number
  /** A line for stderr (where a kept sandbox is). */
  hint?: string
}

const SUPPORTED_CONTROL = ['initialize', 'interrupt', 'set_permission_mode', 'set_model'] as const

/** Serves the SDK until its input closes and the running turn ends; then the changes are applied, kept or dropped. */
export async function runSdkSession(options: SdkSessionOptions): Promise<SdkSessionOutcome> {
  const log = options.logger.child({component: 'sdk-session'})
  const write = (message: object) => options.output.write(`${JSON.stringify(message)}\n`)
  const channel = new ControlChannel(write)
  const prompts = new PromptQueue()
  let model: SwitchableModel | undefined
  let pendingModel: string | undefined
  let initialized = false
  let initSent = false
  let customPrompt: string | undefined
  let appendPrompt: string | undefined

  const approvals = createApprovals({
    mode: options.approvalMode,
    ...(options.askClient
      ? {
          prompter: createSdkPrompter({
            channel,
            onInterrupt: () => prompts.current()?.controller.abort(new DOMException('Interrupted', 'AbortError')),
          }),
        }
      : {}),
  })

  const systemError = (message: string): void =>
    void write({type: 'system', subtype: 'error', uuid: randomUUID(), session_id: options.sessionId, data: {message}})
  const respond = (requestId: string, response: Record<string, unknown>): void =>
    void write({type: 'control_response', response: {subtype: 'success', request_id: requestId, response}})
  const refuse = (requestId: string, error: string): void =>
    void write({type: 'control_response', response: {subtype: 'error', request_id: requestId, error}})

  function handleControl(message: ControlRequest): void {
    const {request_id: id, request} = message
    switch (request.subtype) {
      case 'initialize': {
        initialized = true
        readInitialize(request)
        respond(id, {
          commands: [],
          agents: [],
          models: [],
          output_style: 'default',
          available_output_styles: ['default'],
          capabilities: {
            can_handle_can_use_tool: options.askClient,
            can_handle_interrupt: true,
            can_set_permission_mode: true,
            can_set_model: true,
          },
        })
        return
      }
      case 'interrupt':
        // Cancels the current turn: its running command is killed in the sandbox, and the turn ends with a result.
        // A turn is current from the moment its message arrives (the SDK sent it, so to the SDK it is running), so
        // an interrupt while the sandbox still opens is not lost.
        prompts.current()?.controller.abort(new DOMException('Interrupted by the SDK', 'AbortError'))
        respond(id, {})
        return
      case 'set_permission_mode': {
        const mode = typeof request.mode === 'string' ? mapPermissionMode(request.mode) : undefined
        if (!mode || mode.notice)
          return refuse(
            id,
            `Unsupported permission mode ${JSON.stringify(request.mode)}; use default, auto-edit or yolo`,
          )
        approvals.setMode(mode.mode)
        respond(id, {mode: mode.mode})
        return
      }
      case 'set_model': {
        if (typeof request.model !== 'string' || request.model.trim() === '')
          return refuse(id, 'set_model needs a model name')
        if (model) model.setModel(request.model)
        else pendingModel = request.model
        respond(id, {model: request.model})
        return
      }
      default:
        refuse(
          id,
          `Unsupported control request subtype: ${request.subtype} (this agent supports ${SUPPORTED_CONTROL.join(', ')})`,
        )
    }
  }

  /** The initialize request may carry a system prompt (Claude Agent SDK) and things we cannot do (hooks, SDK MCP). */
  function readInitialize(request: ControlRequest['request']): void {
    const prompt = request.systemPrompt
    if (typeof prompt === 'string') customPrompt = prompt
    else if (Array.isArray(prompt) && prompt.every((part) => typeof part === 'string'))
      customPrompt = prompt.join('\n\n')
    if (typeof request.appendSystemPrompt === 'string') appendPrompt = request.appendSystemPrompt
    const unsupported: string[] = []
    if (isNonEmpty(request.hooks)) unsupported.push('hooks')
    if (isNonEmpty(request.sdkMcpServers) || isNonEmpty(request.mcpServers)) unsupported.push('MCP servers')
    if (isNonEmpty(request.agents)) unsupported.push('subagents')
    if (request.jsonSchema !== undefined && request.jsonSchema !== null) unsupported.push('jsonSchema output')
    for (const what of unsupported) notice(`${what} from the SDK (not supported; ignored)`)
  }

  function notice(text: string): void {
    if (options.notices.includes(text)) return
    options.notices.push(text)
    options.stderr.write(`Note: ${text}\n`)
  }

  // Reads stdin until it closes; every line gets an answer or goes to the turn queue.
  const reading = (async () => {
    const lines = readline.createInterface({input: options.input, crlfDelay: Number.POSITIVE_INFINITY})
    for await (const line of lines) {
      if (line.trim() === '') continue
      const inbound = parseInbound(line)
      switch (inbound.kind) {
        case 'user':
          if (inbound.dropped.length > 0)
            notice(`${inbound.dropped.join(', ')} content in user messages (text only; dropped)`)
          if (inbound.text.trim() === '') systemError('a user message with no text was ignored')
          else prompts.push({text: inbound.text, controller: new AbortController()})
          break
        case 'control_request':
          if (!initialized && inbound.message.request.subtype !== 'initialize') initialized = true
          handleControl(inbound.message)
          break
        case 'control_response':
          if (!channel.settle(inbound.message))
            systemError(`control_response for unknown request_id ${inbound.message.response.request_id}`)
          break
        case 'control_cancel_request':
          systemError(`control_cancel_request for unknown request_id ${inbound.requestId} (nothing is pending)`)
          break
        case 'invalid':
          if (inbound.requestId !== undefined) refuse(inbound.requestId, inbound.problem)
          else systemError(inbound.problem)
          break
      }
    }
  })()
    .catch((error: unknown) => log.warn({err: error}, 'reading stdin failed'))
    .finally(() => {
      // Nobody can answer can_use_tool any more: waiting approvals are denied, and the queue ends after its last prompt.
      channel.close('the SDK closed its input')
      prompts.close()
    })

  const startup = new AbortController()
  const onStop = () => startup.abort(options.signal.reason)
  options.signal.addEventListener('abort', onStop, {once: true})
  const preparing = options.prepare()
  const opening = options.openSandbox(AbortSignal.any([options.signal, startup.signal]))
  preparing.catch(() => undefined)
  opening.catch(() => undefined)

  const conversation: ModelMessage[] = []
  let session: SandboxSession | undefined
  let lastEnd: Extract<AgentEvent, {type: 'run_finished' | 'run_failed'}> | undefined
  let exitCode = 0
  try {
    for await (const queued of prompts) {
      let tools: ToolDefinition<unknown>[]
      try {
        const prepared = await preparing
        session = await opening
        tools = prepared.tools
        model ??= switchableModel(prepared.model)
        if (pendingModel) model.setModel(pendingModel)
        pendingModel = undefined
      } catch (error) {
        // Nothing can run (auth, Docker): one result saying why, then the process ends with the error's exit code.
        startup.abort()
        writeStartupFailure(error)
        exitCode = isAgentError(error) ? error.exitCode : 1
        return {exitCode}
      }
      lastEnd = await runTurn(queued, tools, session, model)
    }
  } finally {
    options.signal.removeEventListener('abort', onStop)
    await reading
    if (!session) {
      startup.abort()
      await opening.then(
        (opened) => opened[Symbol.asyncDispose](),
        () => undefined,
      )
    }
  }
  if (!session) return {exitCode}
  return settle(session, lastEnd)

  async function runTurn(
    queued: QueuedPrompt,
    tools: ToolDefinition<unknown>[],
    sandbox: SandboxSession,
    client: SwitchableModel,
  ): Promise<typeof lastEnd> {
    const translator = new StreamJsonTranslator({
      sessionId: options.sessionId,
      includePartialMessages: options.includePartialMessages,
      agentVersion: options.agentVersion,
      notices: options.notices,
      mcpServers: options.mcpServers,
    })
    const system = [customPrompt ?? options.systemPrompt(tools), appendPrompt].filter(Boolean).join('\n\n')
    const run = runAgent({
      model: client,
      tools,
      session: sandbox,
      approvals,
      signal: AbortSignal.any([queued.controller.signal, options.signal]),
      maxTurns: options.maxTurns,
      prompt: queued.text,
      logger: options.logger,
      cwd: options.cwd,
      conversation,
      systemPrompt: system,
    })
    let end: typeof lastEnd
    let usedTools = false
    try {
      for await (const event of run) {
        if (event.type === 'session_started') {
          if (initSent) continue
          initSent = true
        }
        if (event.type === 'tool_call_started') usedTools = true
        if (event.type === 'run_finished' || event.type === 'run_failed') end = event
        emit(translator.translate(event))
      }
      if (usedTools) {
        try {
          translator.translate({type: 'changes_ready', changes: await sandbox.changes()})
        } catch (error) {
          log.warn({err: error}, 'could not list the changes after a turn')
        }
      }
    } finally {
      // Before the result goes out: an interrupt sent after it is for the next turn.
      prompts.finished(queued)
    }
    emit([translator.result()])
    return end
  }

  function emit(messages: StreamJsonMessage[]): void {
    for (const message of messages) write(message)
  }

  function writeStartupFailure(error: unknown): void {
    const translator = new StreamJsonTranslator({
      sessionId: options.sessionId,
      agentVersion: options.agentVersion,
      notices: options.notices,
      mcpServers: options.mcpServers,
    })
    const message = isAgentError(error) ? error.oneLine() : error instanceof Error ? error.message : String(error)
    emit(
      translator.translate({
        type: 'session_started',
        sessionId: '',
        model: pendingModel ?? model?.model ?? options.modelName,
        cwd: options.cwd,
        tools: [],
        approvalMode: approvals.mode,
      }),
    )
    translator.translate({
      type: 'run_failed',
      message,
      turns: 0,
      usage: {inputTokens: 0, outputTokens: 0},
      durationMs: 0,
    })
    emit([translator.result()])
    options.stderr.write(`Error: ${message}\n`)
  }

  /** After the last turn, through the one end-of-run decision: apply (--apply, last turn completed) or keep. */
  async function settle(sandbox: SandboxSession, end: typeof lastEnd): Promise<SdkSessionOutcome> {
    const said = (data: Record<string, unknown>) =>
      write({
        type: 'system',
        subtype: 'session_end',
        uuid: randomUUID(),
        session_id: options.sessionId,
        data: {sandbox_session_id: sandbox.id, ...data},
      })
    const completed = end?.type === 'run_finished' && end.reason === 'completed'
    const finished = await finishSession({
      session: sandbox,
      logger: options.logger,
      keepWhenRefused: false,
      decide: async () => (options.apply && completed && !options.keep ? 'apply' : 'keep'),
    })
    const reviewLater =
      `review with \`agent diff ${sandbox.id}\`, then ` +
      `\`agent apply ${sandbox.id}\` or \`agent discard ${sandbox.id}\`.\n`
    switch (finished.outcome) {
      case 'unreadable':
        said({changes: 'unreadable'})
        return {
          exitCode: 1,
          hint: `The sandbox's changes could not be read, so nothing was applied. It is kept: ${reviewLater}`,
        }
      case 'applied':
        said({changes: 'applied', applied: finished.report.applied, refused: finished.report.refused})
        return {exitCode}
      case 'kept': {
        said({changes: 'kept', changed_files: finished.changes.changes.map((change) => change.path)})
        const why = options.apply && !completed ? 'The last turn did not complete, so nothing was applied. ' : ''
        return {exitCode, hint: `${why}The sandbox is kept (stopped): ${reviewLater}`}
      }
      default:
        said({changes: 'none'})
        return {exitCode}
    }
  }
}

function isNonEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}

/** A user message and the controller that cancels its turn, made when the message arrives (so it can be interrupted). */
interface QueuedPrompt {
  text: string
  controller: AbortController
}

/** User messages waiting for their turn, in order; iteration ends once closed and drained. */
class PromptQueue implements AsyncIterable<QueuedPrompt> {
  private readonly items: QueuedPrompt[] = []
  /** Arrived and not finished (running or waiting), oldest first. */
  private readonly open: QueuedPrompt[] = []
  private wake: (() => void) | undefined
  private closed = false

  push(item: QueuedPrompt): void {
    this.items.push(item)
    this.open.push(item)
    this.wake?.()
  }

  /** The turn an interrupt is for: the running one, else the next to run. */
  current(): QueuedPrompt | undefined {
    return this.open[0]
  }

  finished(item: QueuedPrompt): void {
    const at = this.open.indexOf(item)
    if (at >= 0) this.open.splice(at, 1)
  }

  close(): void {
    this.closed = true
    this.wake?.()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<QueuedPrompt> {
    for (;;) {
      const next = this.items.shift()
      if (next !== undefined) {
        yield next
        continue
      }
      if (this.closed) return
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
      this.wake = undefined
    }
  }
}
