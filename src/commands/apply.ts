// `agent apply <session>`: writes a kept session's changes to the host project (hardened), then removes the session.
import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {renderApplyReport} from '../sandbox/changes/render-changes.js'
import {createSandboxEngine} from '../sandbox/create-engine.js'

export default class Apply extends BaseCommand<typeof Apply> {
  static override summary = "Apply a kept sandbox session's changes to the project"
  static override description = [
    'Reads the changes out of the kept container and writes them into the project directory the session was started from. Nothing is ever written outside the project: absolute paths, `..`, symlinks pointing out, writes through host symlinks, device files, fifos, hard links and anything under .git are refused and listed; setuid/setgid bits are dropped; each file is written to a temporary file and renamed into place. The total size is capped by sandbox.maxApplyBytes.',
    'Files that were also edited on the host since the session started are refused unless --force. When everything applied the session is removed; when something was refused it is kept (use --discard to remove it anyway).',
    'Exits with 1 when any entry was refused.',
  ].join('\n\n')

  static override examples = [
    {description: 'Apply a session', command: '<%= config.bin %> <%= command.id %> 3f2a'},
    {
      description: 'Overwrite host edits to the same files',
      command: '<%= config.bin %> <%= command.id %> 3f2a --force',
    },
  ]

  static override args = {
    session: Args.string({
      description: 'Session id (or a unique prefix), as `agent sandbox ls` shows.',
      required: true,
    }),
  }

  static override flags = {
    force: Flags.boolean({
      description: 'Also overwrite files that changed on the host since the session started.',
      default: false,
    }),
    keep: Flags.boolean({description: 'Keep the session after applying.', default: false, exclusive: ['discard']}),
    discard: Flags.boolean({description: 'Remove the session even if some entries were refused.', default: false}),
    json: Flags.boolean({description: 'Print the apply report as JSON on stdout.', default: false}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Apply)
    const engine = createSandboxEngine({logger: this.logger, stateDir: this.config.dataDir})
    const session = await engine.resume(args.session)
    let remove = false
    try {
      const changes = await session.changes()
      const report = await session.apply(changes, {force: this.flags.force})
      process.stdout.write(this.flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderApplyReport(report))
      remove = !this.flags.keep && (report.refused.length === 0 || this.flags.discard)
      if (report.refused.length > 0) process.exitCode = 1
    } finally {
      if (remove) await session.close()
      else await session.keep()
    }
    if (!remove && !this.flags.json)
      process.stderr.write(`Session ${session.id} kept; remove it with \`agent discard ${session.id}\`\n`)
  }
}
