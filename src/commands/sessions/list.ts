// `agent sessions list`: the saved conversations of this project (or all, with --all), newest first.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {loadSessionConfig} from '../../cli/run-wiring.js'
import {ConversationStore} from '../../sessions/index.js'

export default class SessionsList extends BaseCommand<typeof SessionsList> {
  static override summary = 'List saved conversations (for `agent run --resume ID`)'
  static override flags = {
    cwd: Flags.string({description: 'Project directory (default: the current directory).'}),
    all: Flags.boolean({description: 'Every project, not only this one.'}),
    json: Flags.boolean({description: 'One JSON array.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(SessionsList)
    const store = new ConversationStore(this.config.dataDir)
    const projectRoot = loadSessionConfig({cwd: flags.cwd}).projectRoot
    const {sessions, problems} = await store.list(flags.all ? {} : {projectRoot})
    for (const line of problems) process.stderr.write(`${line}\n`)
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify(
          sessions.map(({file: _file, ...rest}) => rest),
          null,
          2,
        )}\n`,
      )
      return
    }
    if (sessions.length === 0) {
      process.stderr.write(flags.all ? 'No saved sessions.\n' : `No saved sessions for ${projectRoot}.\n`)
      return
    }
    for (const session of sessions) {
      const title = session.title.replace(/\s+/g, ' ').slice(0, 60)
      const where = flags.all ? `  ${session.projectRoot}` : ''
      process.stdout.write(
        `${session.id}  ${session.updatedAt.toISOString().slice(0, 16).replace('T', ' ')}  ` +
          `${String(session.messages).padStart(3)} messages  ${title}${where}\n`,
      )
    }
  }
}
