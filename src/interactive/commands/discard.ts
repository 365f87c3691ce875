// /discard: the changes thrown away, the sandbox started again as a fresh copy of the project (the model is told).
import type {SlashCommand} from './slash-command.js'

export const discardCommand: SlashCommand = {
  name: 'discard',
  summary: 'Throw the changes away (a fresh sandbox)',
  async run({sandbox, state, screen, prompts}) {
    const changes = await sandbox.changesOrSay()
    if (!changes || !state.session) return
    const count = changes.changes.length
    const sure = await prompts.choose(
      `Discard ${count} changed file${count === 1 ? '' : 's'}? The sandbox starts again from the project.`,
      [
        {key: 'y', label: 'Yes, discard them', value: true},
        {key: 'n', label: 'No, keep them', value: false},
      ],
      {escapeValue: false, interruptValue: false},
    )
    if (!sure) return
    await sandbox.discard()
    if (state.conversation.length > 0) {
      state.conversation.push({
        role: 'user',
        content:
          'Note: I discarded all changes in the sandbox. The workspace is back to the state of the project; ' +
          'files created or edited earlier in this conversation are gone.',
      })
    }
    screen.note('Discarded. The sandbox is a fresh copy of the project.')
  },
}
