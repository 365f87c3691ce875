// `agent sessions rm ID...`: deletes saved conversations (their sandboxes are `agent discard`'s business).
import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {ConversationStore} from '../../sessions/index.js'

export default class SessionsRm extends BaseCommand<typeof SessionsRm> {
  static override summary = 'Delete saved conversations'
  static override strict = false
  static override args = {
    id: Args.string({description: 'Session id (or a unique prefix); several may be given.', required: true}),
  }

  async run(): Promise<void> {
    const {argv} = await this.parse(SessionsRm)
    const store = new ConversationStore(this.config.dataDir)
    for (const id of argv as string[]) process.stdout.write(`Removed session ${await store.remove(id)}\n`)
  }
}
