// A ModelClient for any OpenAI-compatible endpoint, so auth plugins never import the host's internals.
import type {ModelClient} from '../agent/model-client.js'
import {createOpenAIModelClient} from '../agent/openai-model-client.js'
import type {Logger} from '../logging/logger.js'

export interface OpenAICompatibleClientOptions {
  /** Bearer credential: an API key or an OAuth access token. */
  apiKey: string
  /** Endpoint root, e.g. https://portal.qwen.ai/v1. */
  baseURL: string
  model: string
  timeoutMs?: number
  maxRetries?: number
  logger?: Logger
}

/** The host's own streaming client (retries, timeouts, tool-call assembly), pointed at the given endpoint. */
export function createOpenAICompatibleClient(options: OpenAICompatibleClientOptions): ModelClient {
  return createOpenAIModelClient(options)
}
