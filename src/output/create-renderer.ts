// Picks the renderer for --output-format.
import {createJsonRenderer, createStreamJsonRenderer} from './json-renderers.js'
import type {OutputFormat, RenderIO, Renderer} from './renderer.js'
import {createTextRenderer} from './text-renderer.js'

export interface RendererOptions {
  includePartialMessages?: boolean
  agentVersion?: string
  color?: boolean
  /** text: render the model's markdown (default: stdout is a terminal and NO_COLOR is unset). */
  markdown?: boolean
  /** The conversation id reported as session_id (stream-json and json). */
  sessionId?: string
  /** Said once in the init message. */
  notices?: readonly string[]
  /** text: tools.shell.showColor, asked when command output arrives (see TextRendererOptions). */
  showColor?: () => boolean
}

export function createRenderer(format: OutputFormat, io: RenderIO, options: RendererOptions = {}): Renderer {
  switch (format) {
    case 'stream-json':
      return createStreamJsonRenderer(io, {
        includePartialMessages: options.includePartialMessages,
        agentVersion: options.agentVersion,
        sessionId: options.sessionId,
        notices: options.notices,
      })
    case 'json':
      return createJsonRenderer(io, {
        agentVersion: options.agentVersion,
        sessionId: options.sessionId,
        notices: options.notices,
      })
    case 'text':
      return createTextRenderer(io, {
        color: options.color,
        ...(options.showColor ? {showColor: options.showColor} : {}),
        ...(options.markdown !== undefined ? {markdown: options.markdown} : {}),
      })
  }
}
