// `agent auth list`: every auth provider (built-in and from plugins), whether it is configured, and where it comes from.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {loadAuthContext} from '../../plugins/auth-command-support.js'
import {formatTable} from '../tools.js'

export default class AuthList extends BaseCommand<typeof AuthList> {
  static override summary = 'List the ways to authenticate with a model'
  static override description =
    'Lists every auth provider: the built-in OpenAI-compatible one and those contributed by plugins, with the plugin each comes from and whether it is configured now.'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    json: Flags.boolean({description: 'Print the providers as JSON on stdout.', default: false}),
  }

  async run(): Promise<void> {
    const context = await loadAuthContext(this.config)
    const providers = []
    for (const {provider, source} of context.registry.list()) {
      providers.push({
        id: provider.id,
        description: provider.describe(),
        plugin: source,
        configured: await provider.isConfigured(context.config),
        canLogin: provider.login !== undefined,
      })
    }
    if (this.flags.json) {
      process.stdout.write(`${JSON.stringify({providers}, null, 2)}\n`)
      return
    }
    const rows = [
      ['PROVIDER', 'PLUGIN', 'CONFIGURED', 'DESCRIPTION'],
      ...providers.map((p) => [p.id, p.plugin, p.configured ? 'yes' : 'no', p.description]),
    ]
    process.stdout.write(formatTable(rows))
  }
}
