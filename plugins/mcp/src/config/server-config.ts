// The mcpServers settings (Qwen Code's format) as typed servers; a malformed entry is one line naming it, the others load.
import {z} from 'sandboxed-agent/plugin'

const stringList = z.array(z.string())

/** One `mcpServers` entry. Unknown keys are kept (Qwen Code has more: oauth, authProviderType...). */
export const serverEntrySchema = z.looseObject({
  command: z.string().min(1).optional(),
  args: stringList.optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().min(1).optional(),
  url: z.url().optional(),
  httpUrl: z.url().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeout: z.number().int().positive().optional(),
  trust: z.boolean().optional(),
  description: z.string().optional(),
  includeTools: stringList.optional(),
  excludeTools: stringList.optional(),
})

export type ServerEntry = z.output<typeof serverEntrySchema>

export type Transport = 'stdio' | 'http' | 'sse'

export interface ServerConfig {
  name: string
  transport: Transport
  entry: ServerEntry
  /** Where it runs: stdio servers inside the sandbox, url/httpUrl ones are reached from the host. */
  runsIn: 'sandbox' | 'host'
}

/** Servers not started, and why (mcp.allowed / mcp.excluded). */
export interface DisabledServer {
  name: string
  transport: Transport
  why: string
}

export interface ServerConfigs {
  servers: ServerConfig[]
  disabled: DisabledServer[]
  /** One line per entry that could not be read (naming the server and the key). */
  problems: string[]
}

const mcpSettingsSchema = z.looseObject({
  allowed: stringList.optional(),
  excluded: stringList.optional(),
})

/** How long listing a server's tools may take when its entry sets no `timeout`. */
export const DEFAULT_START_TIMEOUT_MS = 30_000
/** How long one call may take when the entry sets no `timeout` (Qwen Code's default). */
export const DEFAULT_CALL_TIMEOUT_MS = 600_000

export function transportOf(entry: ServerEntry): Transport | undefined {
  if (entry.httpUrl) return 'http'
  if (entry.url) return 'sse'
  if (entry.command) return 'stdio'
  return undefined
}

/** Reads `mcpServers` and `mcp` from the merged settings. */
export function readServerConfigs(settings: Record<string, unknown>): ServerConfigs {
  const result: ServerConfigs = {servers: [], disabled: [], problems: []}
  const raw = settings.mcpServers
  if (raw === undefined) return result
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    result.problems.push('mcpServers must be an object of servers by name; no MCP server was started')
    return result
  }
  const mcp = mcpSettingsSchema.safeParse(settings.mcp ?? {})
  if (!mcp.success) result.problems.push(`mcp: ${issueText(mcp.error.issues[0])}; mcp.allowed/excluded ignored`)
  const allowed = mcp.success ? mcp.data.allowed : undefined
  const excluded = new Set(mcp.success ? (mcp.data.excluded ?? []) : [])

  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const parsed = serverEntrySchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const key = issue && issue.path.length > 0 ? issue.path.join('.') : undefined
      result.problems.push(
        `MCP server ${name} skipped: ${key ? `mcpServers.${name}.${key}` : `mcpServers.${name}`} ${issueText(issue, false)}`,
      )
      continue
    }
    const entry = parsed.data
    const transport = transportOf(entry)
    if (!transport) {
      result.problems.push(`MCP server ${name} skipped: mcpServers.${name} needs one of command, url or httpUrl`)
      continue
    }
    if (allowed && !allowed.includes(name)) {
      result.disabled.push({name, transport, why: 'not in mcp.allowed'})
      continue
    }
    if (excluded.has(name)) {
      result.disabled.push({name, transport, why: 'in mcp.excluded'})
      continue
    }
    result.servers.push({name, transport, entry, runsIn: transport === 'stdio' ? 'sandbox' : 'host'})
  }
  return result
}

function issueText(issue: z.core.$ZodIssue | undefined, withPath = true): string {
  if (!issue) return 'is invalid'
  const where = withPath && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  return `${where}${issue.message.replace(/^Invalid input: (expected )?/, 'must be ').replace(/^Invalid /, 'must be a valid ')}`
}
