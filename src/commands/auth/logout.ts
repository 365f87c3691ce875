// `agent auth logout`: forgets a provider's cached credentials.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {UserInputError} from '../../errors.js'
import {loadAuthContext, pickProvider} from '../../plugins/auth-command-support.js'

export default class AuthLogout extends BaseCommand<typeof AuthLogout> {
  static override summary = 'Forget cached credentials of an auth provider'
  static override description =
    'Removes the credentials the provider cached on this machine (for example ~/.qwen/oauth_creds.json for Qwen OAuth). Variables such as OPENAI_API_KEY are yours to unset.'

  static override examples = ['<%= config.bin %> <%= command.id %> --provider qwen-oauth']

  static override flags = {
    provider: Flags.string({char: 'p', description: 'Provider id (see `agent auth list`).'}),
  }

  async run(): Promise<void> {
    const context = await loadAuthContext(this.config)
    const provider = pickProvider(context, this.flags.provider, 'logout')
    if (!provider.logout) {
      throw new UserInputError(`"${provider.id}" caches no credentials to forget`, {hint: provider.describe()})
    }
    await provider.logout(context.config)
    process.stderr.write(`Logged out of ${provider.id}.\n`)
  }
}
