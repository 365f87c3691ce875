// The MCP tool source: when a session opens, connects to every configured server at once and lists their tools.
import type {
  OpenedToolSource,
  ToolDefinition,
  ToolSource,
  ToolSourceContext,
  ToolSourceEntry,
} from 'sandboxed-agent/plugin'

import {readServerConfigs} from './config/server-config.js'
import {connectServer, type ConnectedServer} from './connect-server.js'
import {chooseToolName} from './tools/tool-names.js'
import {InvalidToolSchema, mcpTool} from './tools/mcp-tool.js'

export const MCP_SOURCE_NAME = 'mcp'

/** The source for these settings (`mcpServers`, `mcp.allowed`, `mcp.excluded`, each server's tool filters). */
export function createMcpToolSource(settings: Record<string, unknown>): ToolSource {
  return {
    name: MCP_SOURCE_NAME,
    open: (context) => openMcpServers(settings, context),
  }
}

export async function openMcpServers(
  settings: Record<string, unknown>,
  context: ToolSourceContext,
): Promise<OpenedToolSource> {
  const configs = readServerConfigs(settings)
  const notices = [...configs.problems]
  const entries: ToolSourceEntry[] = configs.disabled.map((server) => ({
    name: server.name,
    transport: server.transport,
    runsIn: server.transport === 'stdio' ? 'sandbox' : 'host',
    state: 'disabled',
    tools: [],
    detail: server.why,
  }))
  const attempts = await Promise.all(
    configs.servers.map(async (config) => {
      try {
        return {config, server: await connectServer(config, context)}
      } catch (error) {
        return {config, error: error instanceof Error ? error.message : String(error)}
      }
    }),
  )

  // Named in settings order, whatever order they answered in: the first server keeps a contested name.
  const taken = new Set(context.takenNames)
  const tools: ToolDefinition<unknown>[] = []
  const connected: ConnectedServer[] = []
  for (const attempt of attempts) {
    const {config} = attempt
    const entry: ToolSourceEntry = {
      name: config.name,
      transport: config.transport,
      runsIn: config.runsIn,
      state: 'failed',
      tools: [],
    }
    entries.push(entry)
    if (!('server' in attempt) || !attempt.server) {
      const where = config.runsIn === 'sandbox' ? ' (in the sandbox)' : ''
      entry.detail = attempt.error
      notices.push(`MCP server ${config.name}${where} left out: ${attempt.error}`)
      continue
    }
    const server = attempt.server
    connected.push(server)
    entry.state = 'connected'
    const include = config.entry.includeTools ? new Set(config.entry.includeTools) : undefined
    const exclude = new Set(config.entry.excludeTools ?? [])
    for (const listed of server.tools) {
      if ((include && !include.has(listed.name)) || exclude.has(listed.name)) continue
      const name = chooseToolName(config.name, listed.name, taken)
      if (!name) {
        notices.push(`MCP server ${config.name}: tool ${listed.name} left out (its names are taken)`)
        continue
      }
      try {
        tools.push(mcpTool(server, listed, name))
        entry.tools.push(name)
      } catch (error) {
        taken.delete(name)
        const why = error instanceof InvalidToolSchema ? `its input schema is invalid: ${error.message}` : String(error)
        notices.push(`MCP server ${config.name}: tool ${listed.name} left out (${why})`)
      }
    }
  }
  return {
    tools,
    notices,
    entries,
    async [Symbol.asyncDispose]() {
      await Promise.allSettled(connected.map((server) => server.close()))
    },
  }
}
