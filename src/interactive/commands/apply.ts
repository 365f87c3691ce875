// /apply: the sandbox's changes so far written to the project (sensitive ones only after a second yes to their list).
import {applyWithPolicy} from '../../session-end/apply-with-policy.js'
import {renderApplyReport} from '../../sandbox/changes/render-changes.js'
import type {SlashCommand} from './slash-command.js'

export const applyCommand: SlashCommand = {
  name: 'apply',
  summary: 'Apply the changes so far to the project',
  async run({sandbox, state, screen, prompts}) {
    const changes = await sandbox.changesOrSay()
    if (!changes || !state.session) return
    const session = state.session
    const report = await applyWithPolicy({
      session,
      changes,
      allowSensitive: false,
      ask: async (lines) => {
        screen.note(
          screen.style.yellow(
            `Sensitive: tools on the host run or load these on their own:\n${lines.map((l) => `  ${l}`).join('\n')}`,
          ),
        )
        return prompts.choose<boolean>(
          'Apply these sensitive changes too?',
          [
            {key: 'n', label: 'No, keep them in the sandbox', value: false},
            {key: 'y', label: 'Yes, apply them too', value: true},
          ],
          {escapeValue: false, interruptValue: false},
        )
      },
    })
    state.activity = 'Applying…'
    screen.note(screen.style.green(renderApplyReport(report).trimEnd()))
    await sandbox.refreshChanges()
  },
}
