// `agent mcp list`: every configured MCP server, its transport, where it runs, where it is defined, its state and tools.
import {Flags} from '@oclif/core'
import {
  AgentCommand,
  loadCommandContext,
  silentLogger,
  type SandboxSession,
  type ToolSourceEntry,
} from 'sandboxed-agent/plugin'

import {readServerConfigs} from '../../config/server-config.js'
import {serverScopes} from '../../lib/server-scopes.js'
import {openMcpServers} from '../../mcp-source.js'

export interface ServerListing extends ToolSourceEntry {
  scope: 'user' | 'project'
}

export default class McpList extends AgentCommand<typeof McpList> {
  static override summary = 'List the MCP servers, where each runs, and whether it starts'
  static override description = [
    "Reads mcpServers from ~/.qwen/settings.json and the project's .qwen/settings.json as a run would, then connects to each server to count its tools: command (stdio) servers in a sandbox of this project, exactly as in a run; url/httpUrl servers from this machine.",
    "A project's servers are listed but not started when the folder is not trusted (agent trust).",
  ].join('\n\n')

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    json: Flags.boolean({description: 'Print the servers as JSON on stdout.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(McpList)
    const context = loadCommandContext()
    const scopes = await serverScopes(context.settingsFiles)
    const configs = readServerConfigs(context.settings)
    const listings: ServerListing[] = []
    // A project server an untrusted folder would start: listed, never started.
    const loaded = new Set([...configs.servers, ...configs.disabled].map((server) => server.name))
    for (const name of context.projectTrusted ? [] : scopes.project.filter((server) => !loaded.has(server)))
      listings.push({
        name,
        scope: 'project',
        transport: '?',
        runsIn: 'sandbox',
        state: 'disabled',
        tools: [],
        detail: `the folder is not trusted (agent trust ${context.projectRoot})`,
      })

    const signal = AbortSignal.timeout(10 * 60_000)
    let session: SandboxSession | undefined
    let sandboxError: string | undefined
    if (configs.servers.some((server) => server.runsIn === 'sandbox')) {
      session = await context.openSandbox(signal).catch((error: unknown) => {
        sandboxError = error instanceof Error ? error.message.split('\n')[0] : String(error)
        return undefined
      })
    }
    try {
      const settings = session
        ? context.settings
        : {...context.settings, mcpServers: Object.fromEntries(hostOnly(context.settings))}
      const source = await openMcpServers(settings, {
        session: session ?? unusedSession(),
        signal,
        log: silentLogger(),
        env: context.env,
        takenNames: new Set(),
      })
      await source[Symbol.asyncDispose]()
      for (const notice of source.notices) process.stderr.write(`Warning: ${notice}\n`)
      const scopeOf = (name: string) => (scopes.project.includes(name) && context.projectTrusted ? 'project' : 'user')
      for (const entry of source.entries) listings.push({...entry, scope: scopeOf(entry.name)})
      if (!session)
        for (const server of configs.servers.filter((candidate) => candidate.runsIn === 'sandbox'))
          listings.push({
            name: server.name,
            scope: scopeOf(server.name),
            transport: server.transport,
            runsIn: 'sandbox',
            state: 'failed',
            tools: [],
            detail: `no sandbox to start it in: ${sandboxError ?? 'unknown error'}`,
          })
    } finally {
      await session?.[Symbol.asyncDispose]()
    }

    if (flags.json) {
      process.stdout.write(`${JSON.stringify({servers: listings}, null, 2)}\n`)
      return
    }
    if (listings.length === 0) {
      process.stdout.write('No MCP servers are configured. Add one with: agent mcp add NAME -- COMMAND ARGS...\n')
      return
    }
    const rows = [
      ['NAME', 'TRANSPORT', 'RUNS', 'SCOPE', 'STATE', 'TOOLS'],
      ...listings.map((server) => [
        server.name,
        server.transport,
        server.runsIn === 'sandbox' ? 'in sandbox' : 'from host',
        server.scope,
        server.detail ? `${server.state} (${server.detail})` : server.state,
        String(server.tools.length),
      ]),
    ]
    process.stdout.write(table(rows))
  }
}

/** The url/httpUrl entries (when no sandbox could be opened, those can still be checked). */
function hostOnly(settings: Record<string, unknown>): [string, unknown][] {
  const servers = (settings.mcpServers ?? {}) as Record<string, {command?: unknown}>
  return Object.entries(servers).filter(([, entry]) => !entry?.command)
}

/** Stands in for the session when only host servers are checked: they never touch it. */
function unusedSession(): SandboxSession {
  return new Proxy({} as SandboxSession, {
    get: () => {
      throw new Error('no sandbox was opened')
    },
  })
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
    )
    .join('\n')
    .concat('\n')
}
