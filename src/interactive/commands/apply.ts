// /apply: the sandbox's changes so far written to the project.
import {renderApplyReport} from '../../sandbox/changes/render-changes.js'
import type {SlashCommand} from './slash-command.js'

export const applyCommand: SlashCommand = {
  name: 'apply',
  summary: 'Apply the changes so far to the project',
  async run({sandbox, state, screen}) {
    const changes = await sandbox.changesOrSay()
    if (!changes || !state.session) return
    state.activity = 'Applying…'
    const report = await state.session.apply(changes)
    screen.note(screen.style.green(renderApplyReport(report).trimEnd()))
    await sandbox.refreshChanges()
  },
}
