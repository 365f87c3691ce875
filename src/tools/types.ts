// The tool seam: a tool is static data (name, kind, schema) plus an execute that acts only through its context.
import type {z} from 'zod'

import type {Logger} from '../logging/logger.js'
import type {SandboxSession} from '../sandbox/types.js'

/** `mcp`: a tool of an MCP server (asked about like a command unless its server is trusted). */
export type ToolKind = 'read' | 'edit' | 'delete' | 'move' | 'search' | 'execute' | 'fetch' | 'think' | 'mcp' | 'other'

/** Where a tool acts: only inside the sandbox (safe without asking) or on the host (needs approval). */
export type ToolActsOn = 'sandbox' | 'host'

export type ToolErrorKind =
  'invalid_parameters' | 'unknown_tool' | 'refused' | 'denied_by_user' | 'execution_failed' | 'timed_out' | 'canceled'

/** An item of the plan the model keeps with todo_write (Qwen Code's shape). */
export interface TodoItem {
  id: string
  content: string
  status: 'pending' | 'in_progress' | 'completed'
}

export interface ToolResult {
  /** What the model reads. */
  forModel: string
  /** What a person sees (may be shorter or richer than forModel). */
  forUser: string
  error?: {kind: ToolErrorKind; message: string}
  /** The whole plan after this call (todo_write): shown to the user and kept with the saved session. */
  todos?: TodoItem[]
}

/** Live output while a tool runs (shown to the user, not sent to the model). */
export interface ToolProgress {
  stream: 'stdout' | 'stderr'
  chunk: string
}

export interface ToolContext {
  /** The model's id for this call (names saved output files so they match the transcript). */
  callId?: string
  session: SandboxSession
  signal: AbortSignal
  log: Logger
  /** Live output sink for the user. */
  onProgress?: (progress: ToolProgress) => void
}

export interface ToolDefinition<P = unknown> {
  name: string
  /** Human title shown in listings. */
  displayName?: string
  description: string
  parameters: z.ZodType<P>
  /**
   * The JSON schema the model is shown, as given, instead of the one made from `parameters` (a tool whose schema comes
   * from elsewhere, such as an MCP server; `parameters` then validates the arguments against it).
   */
  inputJsonSchema?: Record<string, unknown>
  kind: ToolKind
  actsOn: ToolActsOn
  /** The user said this tool's source needs no approval (an MCP server with `trust: true`): it is never asked about. */
  trusted?: boolean
  /** A one-line description of this call for people (e.g. the command and `[background]`). */
  describe?(params: P): string
  execute(params: P, context: ToolContext): Promise<ToolResult>
}

/** A tool as registered: its definition plus where it came from. */
export interface RegisteredTool {
  definition: ToolDefinition<unknown>
  /** The plugin (package name) that contributed it, or 'core'. */
  source: string
}
