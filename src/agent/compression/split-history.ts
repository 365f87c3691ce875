// Where a history is cut for compression: after the leading system messages, older messages are summarised and the
// newest ~30% (by size) kept as they are. A cut never falls between a tool call and its results.
import type {ModelMessage} from '../model-client.js'

/** Of the history after the system prompt, the newest part kept verbatim (Qwen Code keeps the last 30% too). */
export const KEEP_FRACTION = 0.3

export interface HistorySplit {
  /** The leading system messages, kept as they are. */
  head: ModelMessage[]
  /** What the summary replaces (empty: nothing to compress). */
  older: ModelMessage[]
  /** The newest messages, kept verbatim; never starts with a tool result. */
  recent: ModelMessage[]
}

export function splitHistory(messages: readonly ModelMessage[], keepFraction = KEEP_FRACTION): HistorySplit {
  let start = 0
  while (start < messages.length && messages[start]?.role === 'system') start += 1
  const sizes = messages.map(sizeOf)
  const total = sizes.slice(start).reduce((sum, size) => sum + size, 0)
  const mustCompress = (1 - keepFraction) * total
  let split = messages.length
  let before = 0
  for (let index = start; index < messages.length; index += 1) {
    // A tool result belongs to the assistant message before it: the kept part may not begin with one.
    if (index > start && before >= mustCompress && messages[index]?.role !== 'tool') {
      split = index
      break
    }
    before += sizes[index] ?? 0
  }
  return {head: messages.slice(0, start), older: messages.slice(start, split), recent: messages.slice(split)}
}

function sizeOf(message: ModelMessage): number {
  const calls = message.role === 'assistant' ? (message.toolCalls ?? []) : []
  return (message.content ?? '').length + calls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0)
}
