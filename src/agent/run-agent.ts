// The agent loop: model turn -> validated, approved tool calls in order -> results -> next turn, as one event stream.
import {AgentError, isAgentError} from '../errors.js'
import {silentLogger, type Logger} from '../logging/logger.js'
import type {SandboxSession} from '../sandbox/types.js'
import type {ToolDefinition, ToolErrorKind, ToolResult} from '../tools/types.js'
import type {Approvals, ApprovalRequest} from './approvals.js'
import type {ConversationRecorder} from './conversation-recorder.js'
import type {ContextBudget, CompressionOutcome} from './compression/index.js'
import type {AgentEvent} from './events.js'
import {LoopDetector, type LoopVerdict} from './loop-detection.js'
import type {ModelClient, ModelMessage, ModelToolCall, TokenUsage} from './model-client.js'
import {shellAlwaysScope} from './shell-approval.js'
import {buildSystemPrompt} from './system-prompt/index.js'
import {describeSchemaIssues, toModelToolSchema} from './tool-schemas.js'

export interface RunAgentOptions {
  model: ModelClient
  tools: readonly ToolDefinition<unknown>[]
  session: SandboxSession
  /**
   * The session still opening when the run starts (the first model turn needs no container): awaited before the
   * first tool call; when it fails, the run throws that failure instead of going on without a sandbox.
   */
  sandboxReady?: Promise<unknown>
  approvals: Approvals
  /** Aborting ends the run: the running tool call is cancelled first (its result says so), then `run_finished` canceled. */
  signal: AbortSignal
  maxTurns: number
  prompt: string
  /** Replaces the built-in system prompt. */
  systemPrompt?: string
  logger?: Logger
  /** The project directory reported in `session_started` (default: the session's host workspace). */
  cwd?: string
  /** How long a cancelled tool may take to return before the loop stops waiting. Default 5000 ms. */
  cancelGraceMs?: number
  /**
   * The messages of earlier runs in the same conversation (interactive mode). When given, the run continues it: the
   * system prompt is added only when it is empty, then the prompt, and the run appends its own messages to it.
   */
  conversation?: ModelMessage[]
  /** Saves the conversation as it goes (every message the run adds, usage, how it ended). */
  recorder?: ConversationRecorder
  /** Keeps the history inside the model's context window (compression, model.sessionTokenLimit); absent: unwatched. */
  contextBudget?: ContextBudget
  /** Stop a run that repeats the same tool call or text (default true; model.skipLoopDetection sets it false). */
  loopDetection?: boolean
}

export interface AgentRun extends AsyncIterable<AgentEvent> {
  /** Cancels the running tool call, if any; its result tells the model so and the run goes on. True when one was running. */
  cancelCurrentTool(): boolean
}

const CANCELED_TEXT = 'Command cancelled by user.'
const LOOP_HINT = 'Rephrase the task or give the model more to go on; model.skipLoopDetection turns this check off'
const SANDBOX_PROBE_TIMEOUT_MS = 10_000

/** Starts nothing until iterated; iterate once. */
export function runAgent(options: RunAgentOptions): AgentRun {
  let current: AbortController | undefined
  return {
    cancelCurrentTool() {
      if (!current || current.signal.aborted) return false
      current.abort(new DOMException('Cancelled by user', 'AbortError'))
      return true
    },
    [Symbol.asyncIterator]: () =>
      loop(options, (controller) => {
        current = controller
      }),
  }
}

interface ParsedArguments {
  ok: boolean
  value: unknown
  error?: string
}

async function* loop(
  options: RunAgentOptions,
  setCurrent: (c: AbortController | undefined) => void,
): AsyncGenerator<AgentEvent> {
  const {model, session, approvals, signal} = options
  const log = (options.logger ?? silentLogger()).child({component: 'agent-loop', session: session.id})
  const started = Date.now()
  const usage: TokenUsage = {inputTokens: 0, outputTokens: 0}
  let turns = 0
  const loops = options.loopDetection === false ? undefined : new LoopDetector()
  // Set when the sandbox could not open: thrown to the caller rather than reported as a failed tool call.
  let sandboxFailure: {error: unknown} | undefined
  const finished = (reason: 'completed' | 'max_turns' | 'canceled'): AgentEvent => {
    options.recorder?.end(reason)
    return {type: 'run_finished', reason, turns, usage: {...usage}, durationMs: Date.now() - started}
  }

  const tools = new Map(options.tools.map((tool) => [tool.name, tool]))
  const schemas = options.tools.map(toModelToolSchema)
  const messages: ModelMessage[] = options.conversation ?? []
  const recorder = options.recorder
  const push = (message: ModelMessage) => {
    messages.push(message)
    recorder?.message(message)
  }
  if (messages.length === 0) push({role: 'system', content: options.systemPrompt ?? buildSystemPrompt(options.tools)})
  push({role: 'user', content: options.prompt})

  yield {
    type: 'session_started',
    sessionId: session.id,
    model: model.model,
    cwd: options.cwd ?? session.hostWorkspace,
    tools: [...tools.keys()],
    approvalMode: approvals.mode,
  }

  try {
    for (;;) {
      if (signal.aborted) return yield finished('canceled')
      if (turns >= options.maxTurns) return yield finished('max_turns')
      if (options.contextBudget) {
        let outcome: CompressionOutcome | undefined
        try {
          outcome = await options.contextBudget.beforeRequest(messages, schemas, model, signal)
        } catch (error) {
          if (signal.aborted) return yield finished('canceled')
          throw error
        }
        if (outcome) yield* compressed(outcome)
        const over = options.contextBudget.overLimit()
        if (over) return yield failed(new AgentError(over), 'session_token_limit')
      }
      turns += 1
      yield {type: 'turn_started', turn: turns}

      let text = ''
      let calls: ModelToolCall[] = []
      let loop: LoopVerdict | undefined
      try {
        for await (const delta of model.stream({model: model.model, messages, tools: schemas}, signal)) {
          switch (delta.type) {
            case 'text':
              text += delta.text
              yield {type: 'text_delta', text: delta.text}
              loop = loops?.textDelta(delta.text) ?? loop
              break
            case 'tool_call_delta':
              yield {...delta, type: 'tool_call_delta'}
              break
            case 'tool_calls':
              calls = delta.calls
              break
            case 'usage':
              usage.inputTokens += delta.usage.inputTokens
              usage.outputTokens += delta.usage.outputTokens
              recorder?.usage(delta.usage)
              options.contextBudget?.reported(delta.usage.inputTokens, messages.length)
              yield {type: 'usage', usage: delta.usage}
              break
            case 'retry':
              yield {type: 'model_retry', attempt: delta.attempt, delayMs: delta.delayMs, reason: delta.reason}
              break
            case 'done':
              break
          }
          if (loop) break
        }
      } catch (error) {
        if (signal.aborted) {
          if (text) yield {type: 'assistant_message', text, toolCalls: []}
          return yield finished('canceled')
        }
        log.warn({err: error}, 'model turn failed')
        return yield failed(error)
      }

      // A turn cut short for repeating itself keeps its text, not tool calls that will never get results.
      if (loop) calls = []
      const parsed = calls.map((call) => ({call, args: parseArguments(call.arguments)}))
      yield {
        type: 'assistant_message',
        text,
        toolCalls: parsed.map(({call, args}) => ({
          id: call.id,
          name: call.name,
          input: args.ok ? args.value : call.arguments,
        })),
      }
      push({
        role: 'assistant',
        content: text === '' ? null : text,
        // Invalid JSON is not echoed back: some servers reject their own bad arguments; the tool result quotes them.
        ...(calls.length > 0
          ? {
              toolCalls: parsed.map(({call, args}) => ({
                ...call,
                arguments: args.ok ? JSON.stringify(args.value) : '{}',
              })),
            }
          : {}),
      })
      if (loop) return yield loopFailure(loop)
      if (calls.length === 0) return yield finished('completed')

      for (const [index, {call, args}] of parsed.entries()) {
        loop = loops?.toolCall(call.name, args.ok ? args.value : call.arguments)
        if (loop) {
          // The repeated call and those after it are not run; each still gets a result, so the saved history stays a
          // valid conversation to resume.
          for (const {call: skipped} of parsed.slice(index))
            push({role: 'tool', toolCallId: skipped.id, content: 'Not run: the run was stopped (loop detected).'})
          return yield loopFailure(loop)
        }
        if (options.sandboxReady) {
          const failure = await options.sandboxReady.then(
            () => undefined,
            (error: unknown) => ({error}),
          )
          if (failure) {
            if (signal.aborted) {
              // Stopped while the sandbox was still opening: each call still gets a result (a valid history).
              for (const {call: skipped} of parsed.slice(index))
                push({role: 'tool', toolCallId: skipped.id, content: CANCELED_TEXT})
              return yield finished('canceled')
            }
            sandboxFailure = failure
            throw failure.error
          }
        }
        let result: ToolResult | undefined
        for await (const event of runToolCall(call, args)) {
          if (event.type === 'tool_call_finished') result = event.result
          yield event
        }
        push({role: 'tool', toolCallId: call.id, content: result?.forModel ?? CANCELED_TEXT})
        if (result?.todos && !result.error) {
          recorder?.todos?.(result.todos)
          yield {type: 'todos_updated', todos: result.todos}
        }
        // A container that died (killed, or Docker went away) runs nothing more: end the run instead of letting the
        // model try again and again. Its workspace volume outlives it, so the caller can still keep the changes.
        if (result?.error?.kind === 'execution_failed' && !(await sandboxAlive(session))) {
          log.warn('the sandbox container is gone; ending the run')
          return yield failed(
            new AgentError('The sandbox container stopped while a command ran (killed, or Docker went away)'),
          )
        }
      }
      if (signal.aborted) return yield finished('canceled')
    }
  } catch (error) {
    if (sandboxFailure) {
      options.recorder?.end('failed')
      throw sandboxFailure.error
    }
    log.error({err: error}, 'agent loop failed')
    yield failed(error)
  }

  function failed(error: unknown, kind?: 'loop_detected' | 'session_token_limit'): AgentEvent {
    options.recorder?.end(kind ?? 'failed')
    const message = isAgentError(error) ? error.oneLine() : error instanceof Error ? error.message : String(error)
    return {
      type: 'run_failed',
      message,
      ...(kind ? {kind} : {}),
      turns,
      usage: {...usage},
      durationMs: Date.now() - started,
    }
  }

  function loopFailure(verdict: LoopVerdict): AgentEvent {
    log.warn({loop: verdict.kind}, 'loop detected; ending the run')
    return failed(new AgentError(`${verdict.message}; the run was stopped`, {hint: LOOP_HINT}), 'loop_detected')
  }

  /** Applies a compression to the history (and the saved session) and says what happened. */
  function* compressed(outcome: CompressionOutcome): Generator<AgentEvent> {
    if (outcome.status === 'noop') return
    if (outcome.usage.inputTokens > 0 || outcome.usage.outputTokens > 0) {
      usage.inputTokens += outcome.usage.inputTokens
      usage.outputTokens += outcome.usage.outputTokens
      recorder?.usage(outcome.usage)
      yield {type: 'usage', usage: outcome.usage}
    }
    if (outcome.status === 'failed') {
      yield {
        type: 'history_not_compressed',
        trigger: outcome.trigger,
        tokensBefore: outcome.tokensBefore,
        reason: outcome.reason,
      }
      return
    }
    messages.splice(0, messages.length, ...outcome.messages)
    recorder?.history(messages, {before: outcome.tokensBefore, after: outcome.tokensAfter})
    yield {
      type: 'history_compressed',
      trigger: outcome.trigger,
      tokensBefore: outcome.tokensBefore,
      tokensAfter: outcome.tokensAfter,
      windowTokens: options.contextBudget?.windowTokens ?? 0,
    }
  }

  async function* runToolCall(call: ModelToolCall, args: ParsedArguments): AsyncGenerator<AgentEvent> {
    const begin = Date.now()
    const tool = tools.get(call.name)
    const fail = (kind: ToolErrorKind, forModel: string, forUser: string): AgentEvent => ({
      type: 'tool_call_finished',
      id: call.id,
      name: call.name,
      result: {forModel, forUser, error: {kind, message: forUser}},
      durationMs: Date.now() - begin,
    })
    const announce = (
      description: string,
      extra: Partial<Extract<AgentEvent, {type: 'tool_call_started'}>> = {},
    ): AgentEvent => ({
      type: 'tool_call_started',
      id: call.id,
      name: call.name,
      kind: tool?.kind ?? 'other',
      actsOn: tool?.actsOn ?? 'sandbox',
      description,
      input: args.ok ? args.value : call.arguments,
      ...extra,
    })

    if (signal.aborted) {
      yield announce(call.name)
      return yield fail('canceled', 'Not run: the user cancelled the run.', 'not run (run cancelled)')
    }
    if (!tool) {
      yield announce(call.name)
      const available = [...tools.keys()].join(', ') || '(none)'
      return yield fail(
        'unknown_tool',
        `Tool "${call.name}" does not exist. Available tools: ${available}. Call one of those instead.`,
        `unknown tool "${call.name}"`,
      )
    }
    if (!args.ok) {
      yield announce(call.name)
      return yield fail(
        'invalid_parameters',
        `The arguments for ${call.name} are not valid JSON (${args.error}). You sent: ${clip(call.arguments, 500)}\n` +
          'Call the tool again with one JSON object that matches its parameters schema.',
        'invalid JSON arguments',
      )
    }
    const validation = tool.parameters.safeParse(args.value)
    if (!validation.success) {
      yield announce(call.name)
      const issues = describeSchemaIssues(validation.error)
      return yield fail(
        'invalid_parameters',
        `Invalid parameters for ${call.name}:\n${issues}\nCall the tool again with parameters that match its schema.`,
        `invalid parameters: ${issues.replaceAll('\n', ' ')}`,
      )
    }
    const params = validation.data
    const description = describeCall(tool, params)
    yield announce(description)

    const command = commandOf(tool, params)
    const request: ApprovalRequest = {
      toolCallId: call.id,
      toolName: tool.name,
      kind: tool.kind,
      actsOn: tool.actsOn,
      description,
      input: params,
      ...(command !== undefined ? {command} : {}),
      alwaysScope: command !== undefined && tool.actsOn === 'sandbox' ? shellAlwaysScope(command) : tool.name,
      ...(tool.trusted ? {trusted: true} : {}),
    }
    if (approvals.needsAsking(request)) yield {type: 'approval_needed', id: call.id, name: tool.name, description}
    let verdict
    try {
      verdict = await approvals.decide(request, signal)
    } catch (error) {
      if (signal.aborted) return yield fail('canceled', CANCELED_TEXT, 'cancelled')
      throw error
    }
    if (!verdict.allowed)
      return yield fail(verdict.kind, verdict.message, verdict.kind === 'refused' ? 'refused' : 'denied')
    if (verdict.updatedInput === undefined) return yield* execute(tool, params, call, begin)

    // The approver changed the arguments: they must still fit the tool, and the model is told what really ran.
    const updated = tool.parameters.safeParse(verdict.updatedInput)
    if (!updated.success) {
      const issues = describeSchemaIssues(updated.error)
      return yield fail(
        'invalid_parameters',
        `The approver changed the arguments of ${call.name} to ones that do not fit its schema:\n${issues}`,
        `changed arguments invalid: ${issues.replaceAll('\n', ' ')}`,
      )
    }
    const note = `(The approver changed the arguments to ${clip(JSON.stringify(updated.data), 500)}.)\n`
    for await (const event of execute(tool, updated.data, call, begin)) {
      if (event.type !== 'tool_call_finished') yield event
      else yield {...event, result: {...event.result, forModel: note + event.result.forModel}}
    }
  }

  /** Runs the tool, streaming its progress as tool_output events while it works. */
  async function* execute(
    tool: ToolDefinition<unknown>,
    params: unknown,
    call: ModelToolCall,
    begin: number,
  ): AsyncGenerator<AgentEvent> {
    const controller = new AbortController()
    const onRunAbort = () => controller.abort(signal.reason)
    signal.addEventListener('abort', onRunAbort, {once: true})
    setCurrent(controller)

    const queue: AgentEvent[] = []
    let wake: (() => void) | undefined
    let outcome: {result: ToolResult} | {error: unknown} | {gaveUp: true} | undefined
    const settle = (value: NonNullable<typeof outcome>) => {
      outcome ??= value
      wake?.()
    }
    let grace: NodeJS.Timeout | undefined
    const onToolAbort = () => {
      grace = setTimeout(() => settle({gaveUp: true}), options.cancelGraceMs ?? 5000)
    }
    controller.signal.addEventListener('abort', onToolAbort, {once: true})

    const context = {
      callId: call.id,
      session,
      signal: controller.signal,
      log: log.child({tool: tool.name, call: call.id}),
      onProgress: (progress: {stream: 'stdout' | 'stderr'; chunk: string}) => {
        queue.push({type: 'tool_output', id: call.id, stream: progress.stream, chunk: progress.chunk})
        wake?.()
      },
    }
    Promise.resolve()
      .then(() => tool.execute(params, context))
      .then(
        (result) => settle({result}),
        (error: unknown) => settle({error}),
      )

    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as AgentEvent
        if (outcome) break
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
      }
      while (queue.length > 0) yield queue.shift() as AgentEvent
    } finally {
      clearTimeout(grace)
      signal.removeEventListener('abort', onRunAbort)
      controller.signal.removeEventListener('abort', onToolAbort)
      setCurrent(undefined)
    }

    const cancelled = controller.signal.aborted
    let result: ToolResult
    if ('result' in outcome) {
      result = outcome.result
    } else if ('gaveUp' in outcome || cancelled) {
      result = {forModel: CANCELED_TEXT, forUser: 'cancelled', error: {kind: 'canceled', message: 'cancelled by user'}}
    } else {
      const message = isAgentError(outcome.error)
        ? outcome.error.oneLine()
        : outcome.error instanceof Error
          ? outcome.error.message
          : String(outcome.error)
      log.warn({err: outcome.error, tool: tool.name}, 'tool failed')
      result = {
        forModel: `Tool ${tool.name} failed: ${message}`,
        forUser: `failed: ${message}`,
        error: {kind: 'execution_failed', message},
      }
    }
    const exec = (result as {exec?: Extract<AgentEvent, {type: 'tool_call_finished'}>['exec']}).exec
    yield {
      type: 'tool_call_finished',
      id: call.id,
      name: tool.name,
      result,
      ...(exec ? {exec} : {}),
      durationMs: Date.now() - begin,
    }
  }
}

/** Whether the sandbox still runs commands: only a trivial command that comes back "container gone" says it does not. */
async function sandboxAlive(session: SandboxSession): Promise<boolean> {
  try {
    const probe = await session.exec('true', {timeoutMs: SANDBOX_PROBE_TIMEOUT_MS}).result
    return !probe.containerGone
  } catch {
    return true
  }
}

function parseArguments(raw: string): ParsedArguments {
  if (raw.trim() === '') return {ok: true, value: {}}
  try {
    return {ok: true, value: JSON.parse(raw) as unknown}
  } catch (error) {
    return {ok: false, value: undefined, error: error instanceof Error ? error.message : String(error)}
  }
}

function describeCall(tool: ToolDefinition<unknown>, params: unknown): string {
  try {
    const described = tool.describe?.(params)
    if (described) return described
  } catch {
    // A describe() that throws only loses the nice description.
  }
  const command = commandOf(tool, params)
  return command ?? tool.displayName ?? tool.name
}

/** The command text of a shell-like tool call (kind execute with a string `command`). */
function commandOf(tool: ToolDefinition<unknown>, params: unknown): string | undefined {
  if (tool.kind !== 'execute' || params === null || typeof params !== 'object') return undefined
  const command = (params as {command?: unknown}).command
  return typeof command === 'string' ? command : undefined
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`
}
