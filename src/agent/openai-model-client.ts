// The one ModelClient over the openai SDK: raw chat-completions streaming, tool-call assembly, timeouts and our own retries.
import OpenAI, {APIConnectionError, APIError, APIUserAbortError} from 'openai'
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions'

import {AgentError, AuthError} from '../errors.js'
import {silentLogger, type Logger} from '../logging/logger.js'
import type {ModelClient, ModelDelta, ModelMessage, ModelRequest, ModelToolCall, TokenUsage} from './model-client.js'

export interface OpenAIModelClientOptions {
  apiKey: string
  /** Endpoint, e.g. https://api.openai.com/v1 (the SDK's default when absent). */
  baseURL?: string
  model: string
  /** Longest wait for the response to start and between two streamed chunks. Default 120000 ms. */
  timeoutMs?: number
  /**
   * Retries after the first attempt on 429, 5xx, connection errors and streams broken before any text was shown (a
   * half-streamed tool call is dropped and asked for again). Default 5.
   */
  maxRetries?: number
  logger?: Logger
  /** First backoff delay; doubles each retry, with jitter. Default 1000 ms. */
  retryBaseDelayMs?: number
  /** Cap on one backoff delay (also on a server's retry-after). Default 30000 ms. */
  retryMaxDelayMs?: number
}

export const DEFAULT_MODEL_TIMEOUT_MS = 120_000
export const DEFAULT_MODEL_MAX_RETRIES = 5

/** Creates a ModelClient for any OpenAI-compatible chat-completions endpoint. */
export function createOpenAIModelClient(options: OpenAIModelClientOptions): ModelClient {
  const log = (options.logger ?? silentLogger()).child({component: 'model-client'})
  const timeoutMs = options.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS
  const maxRetries = options.maxRetries ?? DEFAULT_MODEL_MAX_RETRIES
  const baseDelay = options.retryBaseDelayMs ?? 1000
  const maxDelay = options.retryMaxDelayMs ?? 30_000
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: 0,
    timeout: timeoutMs,
    // The SDK logs parse failures itself; send that to our log file, never to the terminal.
    logLevel: log.isLevelEnabled('debug') ? 'debug' : 'warn',
    logger: {
      error: (message: string, ...rest: unknown[]) => log.error({details: rest}, message),
      warn: (message: string, ...rest: unknown[]) => log.warn({details: rest}, message),
      info: (message: string, ...rest: unknown[]) => log.info({details: rest}, message),
      debug: (message: string, ...rest: unknown[]) => log.debug({details: rest}, message),
    },
  })
  const endpoint = `${client.baseURL.replace(/\/+$/, '')}/chat/completions`

  async function* stream(request: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelDelta> {
    for (let attempt = 0; ; attempt++) {
      const progress = {output: false, partial: false}
      try {
        yield* attemptOnce(request, signal, progress)
        return
      } catch (error) {
        if (signal.aborted) throw abortError(signal)
        const failure = classify(error)
        log.warn(
          {attempt, status: failure.status, reason: failure.reason, retryable: failure.retryable},
          'model request failed',
        )
        if (!failure.retryable || progress.output || attempt >= maxRetries) {
          throw finalError(failure, attempt + 1, progress.output)
        }
        const backoff = Math.min(maxDelay, baseDelay * 2 ** attempt)
        const jittered = Math.round(backoff / 2 + Math.random() * (backoff / 2))
        const delayMs = failure.retryAfterMs !== undefined ? Math.min(maxDelay, failure.retryAfterMs) : jittered
        const reason = progress.partial ? `${failure.reason}; the partial answer is dropped` : failure.reason
        yield {type: 'retry', attempt: attempt + 1, delayMs, reason}
        await sleep(delayMs, signal)
      }
    }
  }

  async function* attemptOnce(
    request: ModelRequest,
    signal: AbortSignal,
    progress: {output: boolean; partial: boolean},
  ): AsyncGenerator<ModelDelta> {
    const controller = new AbortController()
    const onAbort = () => controller.abort(signal.reason)
    signal.addEventListener('abort', onAbort, {once: true})
    let timedOut = false
    let timer: NodeJS.Timeout | undefined
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, timeoutMs)
    }
    arm()
    try {
      const tools: ChatCompletionTool[] = request.tools.map((tool) => ({
        type: 'function',
        function: {name: tool.name, description: tool.description, parameters: tool.parameters},
      }))
      let chunks: AsyncIterable<ChatCompletionChunk>
      try {
        chunks = await client.chat.completions.create(
          {
            model: request.model,
            messages: request.messages.map(toOpenAIMessage),
            stream: true,
            stream_options: {include_usage: true},
            ...(tools.length > 0 ? {tools} : {}),
          },
          {signal: controller.signal, maxRetries: 0, timeout: timeoutMs},
        )
      } catch (error) {
        if (timedOut) throw new StreamFailure(`no response within ${timeoutMs} ms`, true)
        throw error
      }

      const calls = new ToolCallAssembler()
      let usage: TokenUsage | undefined
      let finishReason: string | null | undefined
      for await (const chunk of chunks) {
        arm()
        if (chunk.usage)
          usage = {inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0}
        const choice = chunk.choices?.[0]
        if (!choice) continue
        const content = choice.delta?.content
        if (content) {
          progress.output = true
          yield {type: 'text', text: content}
        }
        // Tool-call pieces are not shown to people (only to --include-partial-messages), and the calls are acted on only
        // once assembled: a stream that breaks in the middle of one is retried like one that broke before any output.
        for (const part of choice.delta?.tool_calls ?? []) {
          progress.partial = true
          yield calls.add(part)
        }
        if (choice.finish_reason) finishReason = choice.finish_reason
      }
      // The SDK ends the iteration quietly when its request is aborted: say why.
      if (signal.aborted) throw abortError(signal)
      if (timedOut) throw new StreamFailure(`no data for ${timeoutMs} ms`, true)
      if (finishReason === undefined) throw new StreamFailure('the stream ended before the answer was complete', true)

      const assembled = calls.done()
      if (assembled.length > 0) yield {type: 'tool_calls', calls: assembled}
      if (usage) yield {type: 'usage', usage}
      yield {type: 'done', finishReason}
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  }

  function finalError(failure: Failure, attempts: number, hadOutput: boolean): AgentError {
    const status = failure.status !== undefined ? `HTTP ${failure.status}` : failure.reason
    const tries = attempts === 1 ? '' : ` after ${attempts} attempts`
    const detail = failure.status !== undefined && failure.message ? `: ${failure.message}` : ''
    const cut = hadOutput ? ' (the answer broke off mid-stream)' : ''
    const message = `Model request to ${endpoint} failed${tries} with ${status}${detail}${cut}`
    if (failure.status === 401 || failure.status === 403) {
      return new AuthError(message, {
        hint: 'Check OPENAI_API_KEY (or the configured auth provider) for this endpoint',
        cause: failure.cause,
      })
    }
    const hint = failure.retryable
      ? 'The endpoint may be overloaded or unreachable; try again later or raise model.maxRetries / model.timeout in settings'
      : 'Check OPENAI_BASE_URL and the model name (--model or OPENAI_MODEL)'
    return new AgentError(message, {hint, cause: failure.cause})
  }

  return {model: options.model, stream}
}

/** Assembles tool calls from deltas; tolerates servers that leave out `index` (a delta with a new id starts a new call). */
class ToolCallAssembler {
  private readonly calls: {id?: string; name: string; arguments: string}[] = []
  private last = -1

  add(part: ChatCompletionChunk.Choice.Delta.ToolCall): ModelDelta {
    let index = (part as {index?: number}).index
    if (typeof index !== 'number') {
      const known = part.id ? this.calls.findIndex((call) => call.id === part.id) : -1
      index = known >= 0 ? known : part.id || this.last < 0 ? this.calls.length : this.last
    }
    const call = (this.calls[index] ??= {name: '', arguments: ''})
    this.last = index
    if (part.id) call.id = part.id
    if (part.function?.name) call.name += part.function.name
    if (part.function?.arguments) call.arguments += part.function.arguments
    return {
      type: 'tool_call_delta',
      index,
      ...(part.id ? {id: part.id} : {}),
      ...(part.function?.name ? {name: part.function.name} : {}),
      ...(part.function?.arguments ? {argumentsDelta: part.function.arguments} : {}),
    }
  }

  done(): ModelToolCall[] {
    return this.calls.flatMap((call, index) =>
      call === undefined ? [] : [{id: call.id ?? `call_${index}`, name: call.name, arguments: call.arguments}],
    )
  }
}

function toOpenAIMessage(message: ModelMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return {role: message.role, content: message.content}
    case 'tool':
      return {role: 'tool', tool_call_id: message.toolCallId, content: message.content}
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: {name: call.name, arguments: call.arguments},
              })),
            }
          : {}),
      }
  }
}

class StreamFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
  }
}

interface Failure {
  retryable: boolean
  status?: number
  retryAfterMs?: number
  /** Short reason for retry messages, e.g. "HTTP 429" or "connection error". */
  reason: string
  message?: string
  cause: unknown
}

function classify(error: unknown): Failure {
  if (error instanceof StreamFailure) return {retryable: error.retryable, reason: error.message, cause: error}
  if (error instanceof APIUserAbortError) return {retryable: true, reason: 'request aborted', cause: error}
  if (error instanceof APIConnectionError) {
    const detail = error.cause instanceof Error ? error.cause.message : error.message
    return {retryable: true, reason: `connection error (${detail})`, cause: error}
  }
  if (error instanceof APIError) {
    const status = error.status
    const body = error.error as {message?: unknown} | undefined
    const message = typeof body?.message === 'string' ? body.message : error.message
    if (status === undefined) return {retryable: false, reason: `error in stream: ${message}`, cause: error}
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500
    return {retryable, status, retryAfterMs: retryAfter(error.headers), reason: `HTTP ${status}`, message, cause: error}
  }
  if (error instanceof SyntaxError)
    return {retryable: true, reason: `malformed data in stream (${error.message})`, cause: error}
  const message = error instanceof Error ? error.message : String(error)
  // undici reports a connection closed mid-body as TypeError('terminated').
  return {retryable: true, reason: `stream broken (${message})`, cause: error}
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms')
  if (ms && !Number.isNaN(Number(ms))) return Math.max(0, Number(ms))
  const value = headers?.get('retry-after')
  if (!value) return undefined
  const seconds = Number(value)
  if (!Number.isNaN(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The run was canceled', 'AbortError')
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal))
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError(signal))
    }
    signal.addEventListener('abort', onAbort, {once: true})
  })
}
