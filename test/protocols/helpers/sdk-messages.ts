// Reading what an SDK hands its caller: the Claude Agent SDK and the Qwen Code SDK pass on the same stream-json shapes.

/** A tool_result block of a user message. */
export interface ToolResultBlock {
  type: string
  content?: unknown
  is_error?: boolean
  tool_use_id?: string
}

/** Every tool result the model was sent, in order. */
export function toolResults(messages: readonly {type: string}[]): ToolResultBlock[] {
  return messages.flatMap((message) => {
    const content = (message as {message?: {content?: unknown}}).message?.content
    return message.type === 'user' && Array.isArray(content)
      ? (content as ToolResultBlock[]).filter((block) => block.type === 'tool_result')
      : []
  })
}

/** The result messages (one per turn). */
export function results<M extends {type: string}>(messages: readonly M[]): M[] {
  return messages.filter((message) => message.type === 'result')
}
