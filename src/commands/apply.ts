// `agent apply <session>`: writes a kept session's changes to the host project (hardened), then removes the session.
import {Args, Flags} from '@oclif/core'

import {applyWithPolicy} from '../session-end/apply-with-policy.js'
import {BaseCommand} from '../cli/base-command.js'
import {askSensitiveConfirmation} from '../output/tty-prompts.js'
import {renderApplyReport} from '../sandbox/changes/render-changes.js'
import {createSandboxEngine} from '../sandbox/create-engine.js'

export default class Apply extends BaseCommand<typeof Apply> {
  static override summary = "Apply a kept sandbox session's changes to the project"
  static override description = [
    "Reads the changes out of the kept container and writes them into the project directory the session was started from. Nothing is ever written outside the project: absolute paths, `..`, symlinks pointing out, writes through host symlinks, device files, fifos, hard links and anything under .git are refused and listed; setuid/setgid bits are dropped; each file is written to a temporary file and renamed into place. The total size is capped by sandbox.maxApplyBytes; past sandbox.maxApplyFiles changed entries nothing at all is applied. Entries the agent made unreadable in the sandbox (chmod 000) are listed and never applied: their host copies, a folder's whole contents included, are left as they are.",
    'Files that were also edited on the host since the session started are refused unless --force. When everything applied the session is removed; when something was refused it is kept (use --discard to remove it anyway).',
    'Sensitive files (those tools on the host run or load on their own: .qwen/, .env*, .envrc, .vscode/, .idea/, .github/workflows/, .gitattributes, .gitmodules, git hooks directories, .npmrc, .pypirc...) and new group/world-writable bits are applied only with --apply-sensitive, or after you confirm the list on a terminal; otherwise they stay in the kept session.',
    'Exits with 1 when any entry was refused, held back or unreadable, or nothing was applied for the limit.',
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
    'apply-sensitive': Flags.boolean({
      description: 'Also apply sensitive files and group/world-writable bits (see above) without asking.',
      default: false,
    }),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Apply)
    const engine = createSandboxEngine({logger: this.logger, stateDir: this.config.dataDir})
    const session = await engine.resume(args.session)
    let remove = false
    try {
      const changes = await session.changes()
      const tty = {input: process.stdin, output: process.stderr}
      const canAsk = !this.flags.json && process.stdin.isTTY === true && process.stderr.isTTY === true
      const report = await applyWithPolicy({
        session: {apply: (set, options) => session.apply(set, {...options, force: this.flags.force})},
        changes,
        allowSensitive: this.flags['apply-sensitive'],
        ...(canAsk ? {ask: (lines: string[]) => askSensitiveConfirmation(tty, lines)} : {}),
      })
      process.stdout.write(this.flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderApplyReport(report))
      const incomplete =
        report.refused.length > 0 ||
        (report.heldBack?.length ?? 0) > 0 ||
        (report.unreadable?.length ?? 0) > 0 ||
        report.overLimit !== undefined
      remove = !this.flags.keep && (!incomplete || this.flags.discard)
      if (incomplete) process.exitCode = 1
    } finally {
      if (remove) await session.close()
      else await session.keep()
    }
    if (!remove && !this.flags.json)
      process.stderr.write(`Session ${session.id} kept; remove it with \`agent discard ${session.id}\`\n`)
  }
}
