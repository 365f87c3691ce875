// The renderer seam: every output format consumes the same AgentEvent stream and writes to injected sinks.
import type {AgentEvent} from '../agent/events.js'

export const OUTPUT_FORMATS = ['text', 'json', 'stream-json'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export interface OutputSink {
  write(text: string): unknown
  isTTY?: boolean
  /** A terminal's width. */
  columns?: number
}

export interface RenderIO {
  stdout: OutputSink
  stderr: OutputSink
}

export interface Renderer {
  handle(event: AgentEvent): void
  /** Writes what belongs at the end (summary, final result message, the JSON array). Call once. */
  finish(): void
}
