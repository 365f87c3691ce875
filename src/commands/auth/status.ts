// `agent auth status`: whether a run would find credentials (or one provider's state), never printing a secret.
import {Flags} from '@oclif/core'

import {authStatus} from '../../auth/auth-status.js'
import {BaseCommand} from '../../cli/base-command.js'
import {ExitCode} from '../../errors.js'
import {loadAuthContext, pickProvider} from '../../plugins/auth-command-support.js'

export default class AuthStatus extends BaseCommand<typeof AuthStatus> {
  static override summary = 'Show whether authentication is configured'
  static override description =
    'Without --provider: which provider a non-interactive run would use, and from where its credentials come. With --provider: that provider only. Exits 4 when not configured.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --provider qwen-oauth',
  ]

  static override flags = {
    provider: Flags.string({char: 'p', description: 'Provider id (see `agent auth list`).'}),
    json: Flags.boolean({description: 'Print the status as JSON on stdout.', default: false}),
  }

  async run(): Promise<void> {
    const context = await loadAuthContext(this.config)
    let configured: boolean
    let output: unknown
    let line: string
    if (this.flags.provider === undefined) {
      const report = await authStatus(context.config, context.registry)
      ;({configured} = report)
      output = report
      line = report.summary
    } else {
      const provider = pickProvider(context, this.flags.provider)
      const status = provider.status
        ? await provider.status(context.config)
        : await Promise.resolve(provider.isConfigured(context.config)).then((ok) => ({
            configured: ok,
            detail: ok ? 'configured' : 'not configured',
          }))
      configured = status.configured
      output = {provider: provider.id, ...status}
      line = `${provider.id}: ${status.detail}`
    }
    process.stdout.write(this.flags.json ? `${JSON.stringify(output, null, 2)}\n` : `${line}\n`)
    if (!configured) this.exit(ExitCode.auth)
  }
}
