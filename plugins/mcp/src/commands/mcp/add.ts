// `agent mcp add NAME -- COMMAND ARGS...` / `agent mcp add NAME --url URL`: writes an mcpServers entry, as `qwen mcp add`.
import {Args, Flags} from '@oclif/core'
import {AgentCommand, UserInputError, editSettingsFile, loadCommandContext} from 'sandboxed-agent/plugin'

import {serverEntrySchema} from '../../config/server-config.js'
import {scopeFlag, serversIn} from '../../config/settings-scope.js'

export default class McpAdd extends AgentCommand<typeof McpAdd> {
  static override summary = 'Add an MCP server to the project settings (or, with --scope user, to yours)'
  static override description = [
    'A command server (stdio) is started inside the sandbox of each session, as the agent user in /workspace: give the command after --, as it runs there. A --url server is reached from this machine (streamable HTTP; --transport sse for an SSE endpoint); its --header values never enter the sandbox.',
    "The entry goes into the project's .qwen/settings.json (default) or ~/.qwen/settings.json (--scope user); comments and the rest of the file are kept. A project's servers start only once the folder is trusted (agent trust).",
  ].join('\n\n')

  static override strict = false

  static override examples = [
    '<%= config.bin %> <%= command.id %> repo-tools -- node .mcp/server.mjs --verbose',
    '<%= config.bin %> <%= command.id %> tracker --url https://mcp.example.com/mcp -H "Authorization: Bearer $TOKEN" --scope user',
  ]

  static override args = {
    name: Args.string({description: 'The server name (letters, digits, - and _).', required: true}),
  }

  static override flags = {
    url: Flags.string({description: 'The server URL (reached from the host).'}),
    transport: Flags.option({options: ['http', 'sse'] as const, description: 'With --url: http (default) or sse.'})(),
    scope: scopeFlag('Which settings file to write.'),
    env: Flags.string({
      char: 'e',
      multiple: true,
      description: 'KEY=value for a command server ($VAR takes your variable).',
    }),
    header: Flags.string({char: 'H', multiple: true, description: '"Name: value" for a --url server.'}),
    timeout: Flags.integer({min: 1, description: 'Milliseconds to list its tools and to answer a call.'}),
    trust: Flags.boolean({description: 'Never ask before its tools run.'}),
    'include-tools': Flags.string({description: 'Comma-separated: only these tools.'}),
    'exclude-tools': Flags.string({description: 'Comma-separated: not these tools.'}),
  }

  async run(): Promise<void> {
    const {args, flags, argv} = await this.parse(McpAdd)
    const name = args.name
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new UserInputError(`"${name}" is not a server name`, {hint: 'Use letters, digits, - and _'})
    const command = (argv as string[]).slice(1)
    if (flags.url && command.length > 0) throw new UserInputError('Give either --url or a command after --, not both')
    if (!flags.url && command.length === 0)
      throw new UserInputError(`Nothing to run for ${name}`, {
        hint: `agent mcp add ${name} -- COMMAND ARGS... (runs in the sandbox) or agent mcp add ${name} --url URL`,
      })
    const entry: Record<string, unknown> = flags.url
      ? {[flags.transport === 'sse' ? 'url' : 'httpUrl']: flags.url}
      : {command: command[0], ...(command.length > 1 ? {args: command.slice(1)} : {})}
    if (flags.env?.length) entry.env = pairs(flags.env, '=', '-e KEY=value')
    if (flags.header?.length) entry.headers = pairs(flags.header, ':', '-H "Name: value"')
    if (flags.timeout) entry.timeout = flags.timeout
    if (flags.trust) entry.trust = true
    if (flags['include-tools']) entry.includeTools = list(flags['include-tools'])
    if (flags['exclude-tools']) entry.excludeTools = list(flags['exclude-tools'])
    const checked = serverEntrySchema.safeParse(entry)
    if (!checked.success) throw new UserInputError(`Invalid server: ${checked.error.issues[0]?.message ?? 'invalid'}`)

    const context = loadCommandContext()
    const file = context.settingsFiles[flags.scope]
    const existing = await serversIn(file)
    const replaced = name in existing
    await editSettingsFile(file, ['mcpServers', name], entry)
    const where = flags.url ? 'reached from this machine' : 'started in the sandbox of each session'
    process.stdout.write(`${replaced ? 'Replaced' : 'Added'} MCP server ${name} in ${file} (${where}).\n`)
    if (flags.scope === 'project' && !context.projectTrusted && file !== context.settingsFiles.user)
      process.stderr.write(
        `Note: this folder is not trusted, so its servers do not start yet: agent trust ${context.projectRoot}\n`,
      )
  }
}

function pairs(items: string[], separator: string, form: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of items) {
    const at = item.indexOf(separator)
    if (at <= 0) throw new UserInputError(`"${item}" is not ${form}`)
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim()
  }
  return out
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}
