// `agent mcp remove NAME`: takes a server out of the project settings (or, with --scope user, out of yours).
import {Args} from '@oclif/core'
import {AgentCommand, UserInputError, editSettingsFile, loadCommandContext} from 'sandboxed-agent/plugin'

import {scopeFlag, serversIn} from '../../config/settings-scope.js'

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
    scope: scopeFlag('Which settings file to change.'),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(McpRemove)
    const context = loadCommandContext()
    const file = context.settingsFiles[flags.scope]
    const servers = await serversIn(file)
    if (!(args.name in servers)) {
      const other = flags.scope === 'project' ? 'user' : 'project'
      const there = await serversIn(context.settingsFiles[other])
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
