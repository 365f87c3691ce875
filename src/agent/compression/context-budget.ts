// Keeps a conversation inside the model's context window: before each request it estimates the request's tokens and,
// past `model.chatCompression.contextPercentageThreshold` of the window, replaces the older part of the history with
// a summary the model writes (keeping the newest turns). Also /compress on demand, and `model.sessionTokenLimit`.
import type {Logger} from '../../logging/logger.js'
import type {ModelClient, ModelMessage, ModelToolSchema, TokenUsage} from '../model-client.js'
import {
  COMPRESSION_SYSTEM_PROMPT,
  compressionRequestText,
  extractSummary,
  lastPlan,
  summaryMessageText,
} from './compression-prompt.js'
import {splitHistory} from './split-history.js'
import {createTokenEstimator, type TokenEstimator} from './token-estimate.js'

/** Qwen Code's default: compress when the next request would pass 70% of the window. */
export const DEFAULT_COMPRESSION_THRESHOLD = 0.7

/** After a failed automatic compression, the next try waits until the history grew by this much of the window. */
const RETRY_GROWTH = 0.1

export type CompressionTrigger = 'auto' | 'manual'

export type CompressionOutcome =
  | {
      status: 'compressed'
      trigger: CompressionTrigger
      tokensBefore: number
      tokensAfter: number
      /** The new history: the system messages, the summary, the recent messages. */
      messages: ModelMessage[]
      /** What the summary request cost. */
      usage: TokenUsage
    }
  | {status: 'failed'; trigger: CompressionTrigger; tokensBefore: number; reason: string; usage: TokenUsage}
  /** Nothing was done (nothing old enough to summarise). */
  | {status: 'noop'; trigger: CompressionTrigger; reason: string}

export interface ContextBudgetOptions {
  /** Tokens the model's context window holds. */
  windowTokens: number
  /** Fraction of the window at which the history is compressed before a request; 0 turns compression off. */
  threshold?: number
  /** `model.sessionTokenLimit`: a request is not sent once the API counted more prompt tokens than this (≤0: none). */
  sessionTokenLimit?: number | undefined
  estimator?: TokenEstimator
  logger?: Logger
}

export class ContextBudget {
  readonly windowTokens: number
  readonly threshold: number
  private readonly estimator: TokenEstimator
  /** What the API last counted: the prompt tokens of a request of `messages` messages. */
  private lastPrompt: {tokens: number; messages: number} | undefined
  /** An automatic compression failed at this many tokens: the next waits for the history to grow. */
  private failedAt: number | undefined

  constructor(private readonly options: ContextBudgetOptions) {
    this.windowTokens = options.windowTokens
    this.threshold = options.threshold ?? DEFAULT_COMPRESSION_THRESHOLD
    this.estimator = options.estimator ?? createTokenEstimator()
  }

  /** The prompt tokens the API counted for the request just sent, which held `messageCount` messages. */
  reported(promptTokens: number, messageCount: number): void {
    if (promptTokens > 0) this.lastPrompt = {tokens: promptTokens, messages: messageCount}
  }

  /** The line to stop with when the API's last count passed `model.sessionTokenLimit`; undefined otherwise. */
  overLimit(): string | undefined {
    const limit = this.options.sessionTokenLimit
    if (limit === undefined || limit <= 0 || !this.lastPrompt || this.lastPrompt.tokens <= limit) return undefined
    return (
      `Session token limit exceeded: ${this.lastPrompt.tokens.toLocaleString('en-US')} tokens > ` +
      `${limit.toLocaleString('en-US')} (model.sessionTokenLimit). Start a new session, or raise the limit`
    )
  }

  /** The request's tokens: the tokenizer's count, or the API's last count plus what was added since, if larger. */
  async estimate(messages: readonly ModelMessage[], tools: readonly ModelToolSchema[]): Promise<number> {
    const counted = await this.estimator.count(messages, tools)
    const last = this.lastPrompt
    if (!last || last.messages > messages.length) return counted
    return Math.max(counted, last.tokens + (await this.estimator.count(messages.slice(last.messages), [])))
  }

  /** Before a request: compresses when it would pass the threshold; undefined when nothing needed doing. */
  async beforeRequest(
    messages: readonly ModelMessage[],
    tools: readonly ModelToolSchema[],
    model: ModelClient,
    signal: AbortSignal,
  ): Promise<CompressionOutcome | undefined> {
    if (this.threshold <= 0) return undefined
    const limit = this.threshold * this.windowTokens
    const last = this.lastPrompt
    // The cheap bound first: most requests are far below the threshold and need no tokenizer at all.
    const bound = this.estimator.upperBound(messages, tools)
    const added =
      last && last.messages <= messages.length ? this.estimator.upperBound(messages.slice(last.messages), []) : 0
    if (bound < limit && (!last || last.tokens + added < limit)) return undefined
    const tokens = await this.estimate(messages, tools)
    if (tokens < limit) return undefined
    if (this.failedAt !== undefined && tokens < this.failedAt + RETRY_GROWTH * this.windowTokens) return undefined
    const outcome = await this.compress(messages, tools, model, signal, 'auto', tokens)
    this.failedAt = outcome.status === 'failed' ? tokens : undefined
    return outcome
  }

  /** Summarises the older part of the history now (`/compress`, or past the threshold). */
  async compress(
    messages: readonly ModelMessage[],
    tools: readonly ModelToolSchema[],
    model: ModelClient,
    signal: AbortSignal,
    trigger: CompressionTrigger = 'manual',
    tokensBefore?: number,
  ): Promise<CompressionOutcome> {
    const {head, older, recent} = splitHistory(messages)
    // A single message has nothing to condense into: a summary of it would be no shorter.
    if (older.length < 2) return {status: 'noop', trigger, reason: 'there is nothing to compress yet'}
    const before = tokensBefore ?? (await this.estimate(messages, tools))
    const usage: TokenUsage = {inputTokens: 0, outputTokens: 0}
    const failed = (reason: string): CompressionOutcome => {
      this.options.logger?.warn({trigger, tokensBefore: before, reason}, 'history not compressed')
      return {status: 'failed', trigger, tokensBefore: before, reason, usage}
    }
    let answer = ''
    try {
      const request = {
        model: model.model,
        messages: [
          {role: 'system' as const, content: COMPRESSION_SYSTEM_PROMPT},
          {role: 'user' as const, content: compressionRequestText(older)},
        ],
        tools: [],
      }
      for await (const delta of model.stream(request, signal)) {
        if (delta.type === 'text') answer += delta.text
        if (delta.type === 'usage') {
          usage.inputTokens += delta.usage.inputTokens
          usage.outputTokens += delta.usage.outputTokens
        }
      }
    } catch (error) {
      if (signal.aborted) throw error
      return failed(`the summary request failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    const summary = extractSummary(answer)
    if (summary === '') return failed('the model returned an empty summary')
    // The plan survives when its last update is among the summarised messages (the summary may word it loosely).
    const plan = lastPlan(recent) === undefined ? lastPlan(older) : undefined
    const compressed: ModelMessage[] = [...head, {role: 'user', content: summaryMessageText(summary, plan)}, ...recent]
    const after = await this.estimator.count(compressed, tools)
    if (after >= before) return failed('the summary would not make the history smaller')
    this.lastPrompt = undefined
    this.options.logger?.info({trigger, tokensBefore: before, tokensAfter: after}, 'history compressed')
    return {status: 'compressed', trigger, tokensBefore: before, tokensAfter: after, messages: compressed, usage}
  }
}
