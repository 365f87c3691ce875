// What the interactive session is started with: the terminal, the settings, the tools, auth and the sandbox opener.
import type {AuthRegistry} from '../auth/index.js'
import type {AgentConfig} from '../config/index.js'
import type {Logger} from '../logging/logger.js'
import type {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import type {SandboxSession} from '../sandbox/types.js'
import type {SessionToolSources} from '../tools/open-tool-sources.js'
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
}
