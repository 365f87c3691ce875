// What the interactive session is started with: the terminal, the settings, the tools, auth and the sandbox opener.
import type {AuthRegistry} from '../auth/index.js'
import type {ContextLimits} from '../cli/context-limits.js'
import type {AgentConfig} from '../config/index.js'
import type {Logger} from '../logging/logger.js'
import type {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import type {SandboxSession} from '../sandbox/types.js'
import type {SessionToolSources} from '../tools/open-tool-sources.js'
import type {ChatSessions} from '../sessions/index.js'
import type {RegisteredTool, ToolDefinition} from '../tools/types.js'
import type {PromptHistory} from './line-editor.js'

/** The terminal: a TTY read stream (raw mode) and a TTY write stream (size, resize events). */
export interface ChatTerminal {
  input: NodeJS.ReadableStream & {setRawMode?(raw: boolean): unknown; isTTY?: boolean}
  output: NodeJS.WritableStream & {columns?: number; rows?: number; on(event: 'resize', listener: () => void): unknown}
}

export interface ChatOptions {
  terminal: ChatTerminal
  config: AgentConfig
  /** Every registered tool (for /tools) and the ones enabled by the settings (given to the model). */
  registered: readonly RegisteredTool[]
  tools: readonly ToolDefinition<unknown>[]
  auth: AuthRegistry
  /** Opens the session's sandbox (started at once, in the background, while the user types). */
  openSandbox(signal: AbortSignal): Promise<SandboxSession>
  cleanup: SessionCleanup
  logger: Logger
  maxTurns: number
  history: PromptHistory
  historyFile?: string
  color: boolean
  version?: string
  /** The system prompt for a new conversation (built-in or replaced, with the project's context files). */
  systemPrompt?: () => string
  /** The current sandbox's run-time tool sources (MCP servers): what /mcp shows. */
  toolSources?: () => SessionToolSources
  /** The project's context files behind /memory; absent: /memory says it is not available. */
  memory?: ChatMemory
  /** Saves each conversation and finds earlier ones (/resume); absent: nothing is saved. */
  sessions?: ChatSessions
  /** The context window and loop detection for a conversation, given the model's name (a new one per conversation). */
  limits?: (model: string) => ContextLimits
}

/** The context files (QWEN.md and the like) as the session read them, for /memory. */
export interface ChatMemory {
  /** The files read, in order, with their size. */
  files(): readonly {path: string; chars: number}[]
  /** Their text as the model gets it in the system prompt. */
  text(): string
  /** Reads the files again; the notices (cuts, refused imports) as lines. */
  refresh(): Promise<string[]>
  /** Appends a fact to the global context file; returns the file written. */
  add(fact: string): Promise<string>
}
