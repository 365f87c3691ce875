// A ModelClient for any OpenAI-compatible endpoint, so auth plugins never import the host's internals.
import type {ModelClient, ModelDelta, ModelRequest} from '../agent/model-client.js'
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

/**
 * The host's own streaming client (retries, timeouts, tool-call assembly), pointed at the given endpoint. The OpenAI
 * SDK is imported on the first request, not when the plugin kit loads: commands that never call a model (`--help`,
 * `agent tools`) do not pay for it.
 */
export function createOpenAICompatibleClient(options: OpenAICompatibleClientOptions): ModelClient {
  let client: Promise<ModelClient> | undefined
  const load = () =>
    (client ??= import('../agent/openai-model-client.js').then((module) => module.createOpenAIModelClient(options)))
  return {
    model: options.model,
    async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelDelta> {
      yield* (await load()).stream(request, signal)
    },
  }
}
