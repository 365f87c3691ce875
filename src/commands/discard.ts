// `agent discard <session>`: removes a kept sandbox session (container, workspace volume, host record) unapplied.
import {Args} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {createSandboxEngine} from '../sandbox/create-engine.js'

export default class Discard extends BaseCommand<typeof Discard> {
  static override summary = 'Throw away a kept sandbox session and its changes'
  static override description =
    'Removes the container, its workspace volume and the host record of the session. The project on the host is not touched.'

  static override examples = [{description: 'Discard a session', command: '<%= config.bin %> <%= command.id %> 3f2a'}]

  static override args = {
    session: Args.string({
      description: 'Session id (or a unique prefix), as `agent sandbox ls` shows.',
      required: true,
    }),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Discard)
    const engine = createSandboxEngine({logger: this.logger, stateDir: this.config.dataDir})
    const id = await engine.discard(args.session)
    process.stdout.write(`Discarded session ${id}\n`)
  }
}
