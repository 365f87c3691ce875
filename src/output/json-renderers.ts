// stream-json (one message per line as things happen) and json (the same messages as one array at the end).
import type {AgentEvent} from '../agent/events.js'
import type {RenderIO, Renderer} from './renderer.js'
import type {StreamJsonMessage} from './stream-json-schema.js'
import {StreamJsonTranslator, type TranslatorOptions} from './stream-json-translator.js'

export function createStreamJsonRenderer(io: RenderIO, options: TranslatorOptions = {}): Renderer {
  const translator = new StreamJsonTranslator(options)
  const write = (message: StreamJsonMessage) => io.stdout.write(`${JSON.stringify(message)}\n`)
  return {
    handle(event: AgentEvent) {
      for (const message of translator.translate(event)) write(message)
    },
    finish() {
      write(translator.result())
    },
  }
}

/** Partial messages make no sense in one array printed at the end, so they are never included. */
export function createJsonRenderer(
  io: RenderIO,
  options: Omit<TranslatorOptions, 'includePartialMessages'> = {},
): Renderer {
  const translator = new StreamJsonTranslator({...options, includePartialMessages: false})
  const messages: StreamJsonMessage[] = []
  return {
    handle(event: AgentEvent) {
      messages.push(...translator.translate(event))
    },
    finish() {
      messages.push(translator.result())
      io.stdout.write(`${JSON.stringify(messages)}\n`)
    },
  }
}
