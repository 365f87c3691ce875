// Opens every tool source for one session (in parallel), checks and filters what they list, and closes them together.
import type {Logger} from '../logging/logger.js'
import type {RegisteredToolSource} from '../plugins/load-tool-sources.js'
import {toolDefinitionProblem} from '../plugin-kit/validate-tool.js'
import type {SandboxSession} from '../sandbox/types.js'
import {ToolRegistry, type ToolFilterSettings} from './registry.js'
import type {OpenedToolSource, ToolSourceEntry} from './tool-source.js'
import type {RegisteredTool, ToolDefinition} from './types.js'

/** The tools a session's sources listed, what went wrong on the way, and how to close them. */
export interface SessionToolSources extends AsyncDisposable {
  /** Every tool the sources listed (valid and not clashing), in source order. */
  registered: RegisteredTool[]
  /** The ones `tools.core` / `tools.exclude` leave enabled: give these to the model. */
  enabled: ToolDefinition<unknown>[]
  /** One line per problem (a server that failed, a tool left out), for stderr or the transcript. */
  notices: string[]
  /** What each source connected to (servers and their state). */
  entries: ToolSourceEntry[]
}

export interface OpenToolSourcesOptions {
  session: SandboxSession
  signal: AbortSignal
  log: Logger
  env: Readonly<Record<string, string | undefined>>
  /** Names of the built-in and plugin tools already registered. */
  takenNames: Iterable<string>
  /** settings.tools: the same filter as for every other tool, by name. */
  filter: ToolFilterSettings
}

/** No source at all: nothing to open or close. */
export const NO_TOOL_SOURCES: SessionToolSources = Object.freeze({
  registered: [],
  enabled: [],
  notices: [],
  entries: [],
  async [Symbol.asyncDispose]() {},
})

/**
 * Opens each source with the session. A source that throws contributes nothing but its one line; a tool that is
 * invalid or whose name is already taken is left out with one line; the rest register under the names they chose.
 */
export async function openToolSources(
  sources: readonly RegisteredToolSource[],
  options: OpenToolSourcesOptions,
): Promise<SessionToolSources> {
  if (sources.length === 0) return NO_TOOL_SOURCES
  const takenNames = new Set(options.takenNames)
  const opened = await Promise.all(
    sources.map(async ({source, plugin}) => {
      try {
        const result = await source.open({
          session: options.session,
          signal: options.signal,
          log: options.log.child({toolSource: source.name, plugin}),
          env: options.env,
          takenNames,
        })
        return {plugin, name: source.name, result}
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        return {plugin, name: source.name, failure: `Tool source ${source.name} (${plugin}) failed: ${message}`}
      }
    }),
  )

  const registry = new ToolRegistry()
  const notices: string[] = []
  const entries: ToolSourceEntry[] = []
  const open: OpenedToolSource[] = []
  for (const item of opened) {
    if ('failure' in item) {
      notices.push(item.failure ?? '')
      continue
    }
    open.push(item.result)
    notices.push(...item.result.notices)
    entries.push(...item.result.entries)
    for (const tool of item.result.tools) {
      const problem = toolDefinitionProblem(tool)
      if (problem) notices.push(`Tool source ${item.name}: tool ${JSON.stringify(tool?.name)} left out (${problem})`)
      else if (takenNames.has(tool.name) || registry.has(tool.name))
        notices.push(`Tool source ${item.name}: tool ${tool.name} left out (the name is taken)`)
      else registry.register(tool, item.plugin)
    }
  }
  return {
    registered: registry.list(),
    enabled: registry.enabled(options.filter).map(({definition}) => definition),
    notices,
    entries,
    async [Symbol.asyncDispose]() {
      await Promise.allSettled(open.map((source) => source[Symbol.asyncDispose]()))
    },
  }
}
