// `agent sessions show ID`: a saved conversation as the model last saw it.
import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {ConversationStore} from '../../sessions/index.js'

export default class SessionsShow extends BaseCommand<typeof SessionsShow> {
  static override summary = 'Show a saved conversation'
  static override args = {id: Args.string({description: 'Session id (or a unique prefix).', required: true})}
  static override flags = {json: Flags.boolean({description: 'The messages as one JSON document.'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(SessionsShow)
    const session = await new ConversationStore(this.config.dataDir).load(args.id)
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({...session.header, messages: session.messages, usage: session.usage}, null, 2)}\n`,
      )
      return
    }
    const {header} = session
    process.stdout.write(
      `Session ${header.id} · ${header.projectRoot} · started ${header.createdAt}` +
        `${header.model ? ` · ${header.model}` : ''} · ${session.usage.inputTokens} in / ${session.usage.outputTokens} out tokens\n`,
    )
    for (const message of session.messages) {
      if (message.role === 'system') continue
      if (message.role === 'user') process.stdout.write(`\n> ${message.content}\n`)
      else if (message.role === 'assistant') {
        if (message.content) process.stdout.write(`\n${message.content}\n`)
        for (const call of message.toolCalls ?? []) process.stdout.write(`● ${call.name} ${call.arguments}\n`)
      } else {
        const lines = message.content.split('\n')
        process.stdout.write(
          `  ${lines.slice(0, 5).join('\n  ')}${lines.length > 5 ? `\n  … ${lines.length - 5} more lines` : ''}\n`,
        )
      }
    }
  }
}
