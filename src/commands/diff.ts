// `agent diff <session>`: shows what a kept sandbox session changed, against the project as it was copied in.
import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {renderChangeDiff, renderChangeSummary} from '../sandbox/changes/render-changes.js'
import {createSandboxEngine} from '../sandbox/create-engine.js'

export default class Diff extends BaseCommand<typeof Diff> {
  static override summary = 'Show what a kept sandbox session changed'
  static override description = [
    'Starts the kept (stopped) container just long enough to list /workspace, compares it with what was copied in, and prints unified diffs for text files (binary files: size and sha256). The host project is not touched, and the session stays kept.',
    'Entries marked "changed on the host too" were edited on the host since the session started; `agent apply` leaves them alone unless --force.',
  ].join('\n\n')

  static override examples = [
    {
      description: 'Diff of a session (any unique prefix of its id)',
      command: '<%= config.bin %> <%= command.id %> 3f2a',
    },
    {description: 'Only the list of changed paths', command: '<%= config.bin %> <%= command.id %> 3f2a --stat'},
  ]

  static override args = {
    session: Args.string({
      description: 'Session id (or a unique prefix), as `agent sandbox ls` shows.',
      required: true,
    }),
  }

  static override flags = {
    stat: Flags.boolean({description: 'List changed paths only.', default: false}),
    json: Flags.boolean({description: 'Print the change set as JSON on stdout.', default: false}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Diff)
    const engine = createSandboxEngine({logger: this.logger, stateDir: this.config.dataDir})
    const session = await engine.resume(args.session)
    try {
      const changes = await session.changes()
      if (this.flags.json) process.stdout.write(`${JSON.stringify(changes, null, 2)}\n`)
      else if (this.flags.stat) process.stdout.write(renderChangeSummary(changes))
      else {
        process.stdout.write(renderChangeDiff(changes))
        process.stderr.write(renderChangeSummary(changes))
      }
    } finally {
      await session.keep()
    }
  }
}
