// `agent mcp remove NAME`: takes a server out of the project settings (or, with --scope user, out of yours).
import {Args, Flags} from '@oclif/core'
import {
  AgentCommand,
  UserInputError,
  editSettingsFile,
  loadCommandContext,
  readSettingsFile,
} from 'sandboxed-agent/plugin'

export default class McpRemove extends AgentCommand<typeof McpRemove> {
  static override summary = 'Remove an MCP server from the project settings (or, with --scope user, from yours)'
  static override examples = [
    '<%= config.bin %> <%= command.id %> repo-tools',
    '<%= config.bin %> <%= command.id %> tracker --scope user',
  ]

  static override args = {
    name: Args.string({description: 'The server name.', required: true}),
  }

  static override flags = {
    scope: Flags.option({
      options: ['project', 'user'] as const,
      default: 'project' as const,
      char: 's',
      description: 'Which settings file to change.',
    })(),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(McpRemove)
    const context = loadCommandContext()
    const file = context.settingsFiles[flags.scope]
    const servers = ((await readSettingsFile(file)).mcpServers ?? {}) as Record<string, unknown>
    if (!(args.name in servers)) {
      const other = flags.scope === 'project' ? 'user' : 'project'
      const there = ((await readSettingsFile(context.settingsFiles[other])).mcpServers ?? {}) as Record<string, unknown>
      throw new UserInputError(`No MCP server ${args.name} in ${file}`, {
        hint:
          args.name in there
            ? `It is in the ${other} settings: agent mcp remove ${args.name} --scope ${other}`
            : 'agent mcp list shows the servers',
      })
    }
    await editSettingsFile(file, ['mcpServers', args.name], undefined)
    process.stdout.write(`Removed MCP server ${args.name} from ${file}.\n`)
  }
}
