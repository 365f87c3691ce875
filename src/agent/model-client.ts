// The model seam: the agent loop streams a chat turn through this interface and never sees the SDK behind it.

export interface ModelToolSchema {
  name: string
  description: string
  /** JSON schema of the parameters (from zod's own converter). */
  parameters: Record<string, unknown>
}

export interface ModelToolCall {
  id: string
  name: string
  /** Raw JSON text as assembled from the stream (may be invalid: the loop validates it). */
  arguments: string
}

export type ModelMessage =
  | {role: 'system'; content: string}
  | {role: 'user'; content: string}
  | {role: 'assistant'; content: string | null; toolCalls?: ModelToolCall[]}
  | {role: 'tool'; toolCallId: string; content: string}

export interface ModelRequest {
  model: string
  messages: ModelMessage[]
  tools: ModelToolSchema[]
}

export interface TokenUsage {
  inputTokens: number
  outputTokens: number
}

/** What a streamed model turn yields, in order: text deltas, then the assembled tool calls, then usage. */
export type ModelDelta =
  | {type: 'text'; text: string}
  | {type: 'tool_call_delta'; index: number; id?: string; name?: string; argumentsDelta?: string}
  | {type: 'tool_calls'; calls: ModelToolCall[]}
  | {type: 'usage'; usage: TokenUsage}
  | {type: 'retry'; attempt: number; delayMs: number; reason: string}
  | {type: 'done'; finishReason: string | null}

export interface ModelClient {
  readonly model: string
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelDelta>
}
