// `agent auth login`: runs a provider's interactive login (for example the Qwen OAuth device flow).
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {UserInputError} from '../../errors.js'
import {loadAuthContext, pickProvider, terminalLoginIO} from '../../plugins/auth-command-support.js'

export default class AuthLogin extends BaseCommand<typeof AuthLogin> {
  static override summary = 'Log in with an auth provider'
  static override description =
    'Runs the login of the provider named by --provider (or the only one that has a login). Instructions go to stderr; credentials are cached by the provider on this machine and never printed.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --provider qwen-oauth',
  ]

  static override flags = {
    provider: Flags.string({char: 'p', description: 'Provider id (see `agent auth list`).'}),
  }

  async run(): Promise<void> {
    const context = await loadAuthContext(this.config)
    const provider = pickProvider(context, this.flags.provider, 'login')
    if (!provider.login) {
      throw new UserInputError(`"${provider.id}" has no interactive login`, {hint: provider.describe()})
    }
    const controller = new AbortController()
    const onSigint = (): void => controller.abort(new Error('interrupted'))
    process.once('SIGINT', onSigint)
    try {
      await provider.login(terminalLoginIO(controller.signal), context.config)
    } finally {
      process.removeListener('SIGINT', onSigint)
    }
    process.stderr.write(`Logged in with ${provider.id}.\n`)
  }
}
