// Token counts of model requests: js-tiktoken's o200k encoding (loaded once, when first needed), cached per message,
// and an upper bound from byte length that answers "clearly below the limit" without loading the tokenizer at all.
import type {Tiktoken} from 'js-tiktoken/lite'

import type {ModelMessage, ModelToolSchema} from '../model-client.js'

/** Role, separators and the like, per message (the chat format's overhead, roughly as OpenAI documents it). */
const PER_MESSAGE = 4

export interface TokenEstimator {
  /** The request's tokens by the tokenizer (an estimate: the model's own tokenizer may differ a little). */
  count(messages: readonly ModelMessage[], tools: readonly ModelToolSchema[]): Promise<number>
  /** A bound no tokenizer is needed for: a byte-level BPE never makes more tokens than the text has bytes. */
  upperBound(messages: readonly ModelMessage[], tools: readonly ModelToolSchema[]): number
}

let encoder: Promise<Tiktoken> | undefined

/** The encoder, loaded on first use (it takes a second or two: the ranks are a few megabytes of JavaScript). */
function loadEncoder(): Promise<Tiktoken> {
  encoder ??= Promise.all([import('js-tiktoken/lite'), import('js-tiktoken/ranks/o200k_base')]).then(
    ([lite, ranks]) => new lite.Tiktoken(ranks.default),
  )
  return encoder
}

export function createTokenEstimator(): TokenEstimator {
  const cache = new WeakMap<object, number>()
  const textOf = (message: ModelMessage): string => {
    const toolCalls = message.role === 'assistant' ? (message.toolCalls ?? []) : []
    const calls = toolCalls.map((call) => `${call.name}${call.arguments}`).join('')
    return `${message.content ?? ''}${calls}`
  }
  const toolsText = (tools: readonly ModelToolSchema[]) => JSON.stringify(tools)
  return {
    async count(messages, tools) {
      const tiktoken = await loadEncoder()
      // Special-token text in a tool's output (`<|endoftext|>`) is ordinary text here, not an error.
      const tokens = (text: string) => tiktoken.encode(text, [], []).length
      let total = tools.length > 0 ? tokens(toolsText(tools)) : 0
      for (const message of messages) {
        let count = cache.get(message)
        if (count === undefined) {
          count = tokens(textOf(message)) + PER_MESSAGE
          cache.set(message, count)
        }
        total += count
      }
      return total
    },
    upperBound(messages, tools) {
      let total = tools.length > 0 ? Buffer.byteLength(toolsText(tools)) : 0
      for (const message of messages) total += Buffer.byteLength(textOf(message)) + PER_MESSAGE
      return total
    },
  }
}
