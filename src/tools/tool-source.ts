// The tool source seam: tools discovered at run time, once the sandbox session exists (an MCP server's tools).
import type {Logger} from '../logging/logger.js'
import type {SandboxSession} from '../sandbox/types.js'
import type {ToolDefinition} from './types.js'

/** What a source is given when a session opens. */
export interface ToolSourceContext {
  /** The session the tools will act in (a source may start long-running commands in it with `spawn`). */
  session: SandboxSession
  /** Aborted when the run stops: give up listing. */
  signal: AbortSignal
  log: Logger
  /** The environment after .env loading, for values the user's settings refer to (`$VAR`). */
  env: Readonly<Record<string, string | undefined>>
  /** Names already taken by built-in and plugin tools: a source renames its tools around them. */
  takenNames: ReadonlySet<string>
}

/** One thing a source connected to (an MCP server), for listings such as `/mcp` and the SDK's `init` message. */
export interface ToolSourceEntry {
  name: string
  /** How it is reached, e.g. `stdio`, `http`, `sse`. */
  transport: string
  /** Where it runs: inside the session's sandbox, or reached from the host. */
  runsIn: 'sandbox' | 'host'
  state: 'connected' | 'failed' | 'disabled'
  /** The names its tools were registered under. */
  tools: string[]
  /** Why it failed or is disabled. */
  detail?: string
}

/** A source opened for one session; dispose it when the session ends (closes connections, stops what it started). */
export interface OpenedToolSource extends AsyncDisposable {
  tools: ToolDefinition<unknown>[]
  /** One line per problem the user should hear about (a server that failed, a tool left out). */
  notices: string[]
  entries: ToolSourceEntry[]
}

/** What the `agent:tool-sources` hook returns: a named source of tools listed per session. */
export interface ToolSource {
  /** Names the source in messages (e.g. `mcp`). */
  name: string
  /** Lists the tools for this session; never throws for one broken server: it reports it in `notices`. */
  open(context: ToolSourceContext): Promise<OpenedToolSource>
}
