// Picks the renderer for --output-format.
import {createJsonRenderer, createStreamJsonRenderer} from './json-renderers.js'
import type {OutputFormat, RenderIO, Renderer} from './renderer.js'
import type {McpServerStatus} from './stream-json-translator.js'
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
  /** stream-json and json: the MCP servers named in the init message (asked when it is written). */
  mcpServers?: () => readonly McpServerStatus[]
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
        mcpServers: options.mcpServers,
      })
    case 'json':
      return createJsonRenderer(io, {
        agentVersion: options.agentVersion,
        sessionId: options.sessionId,
        notices: options.notices,
        mcpServers: options.mcpServers,
      })
    case 'text':
      return createTextRenderer(io, {
        color: options.color,
        ...(options.showColor ? {showColor: options.showColor} : {}),
        ...(options.markdown !== undefined ? {markdown: options.markdown} : {}),
      })
  }
}
