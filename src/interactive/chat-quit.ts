// Quitting without losing anything: with changes in the sandbox, asks whether to apply them, keep the sandbox, or
// discard them.
import {renderApplyReport, renderChangeSummary} from '../sandbox/changes/render-changes.js'
import {finishSession, type ChangesDecision} from '../session-end/finish-session.js'
import type {ChatContext} from './chat-context.js'
import {errorMessage} from './chat-errors.js'

export async function quitSession({options, state, screen, prompts, sandbox}: ChatContext): Promise<number> {
  const {dim, green, yellow} = screen.style
  state.phase = 'busy'
  state.typeAhead = false
  screen.widget = undefined
  state.activity = 'Checking the sandbox for changes…'
  screen.scheduleRender()
  const session = await sandbox.settle()
  if (!session) return 0
  state.activity = ''
  options.cleanup.delete(session)
  const end = await finishSession({
    session,
    logger: options.logger,
    // Refused entries stay in the kept sandbox, to be looked at with `agent diff`.
    keepWhenRefused: true,
    // Sensitive files (and new writable bits) need a second yes, given to their list.
    confirmSensitive: async (lines) => {
      screen.note(yellow(`Sensitive: tools on the host run or load these on their own:\n${indent(lines.join('\n'))}`))
      const answer = await prompts.choose<boolean>(
        'Apply these sensitive changes too?',
        [
          {key: 'n', label: 'No, keep them in the sandbox', value: false},
          {key: 'y', label: 'Yes, apply them too', value: true},
        ],
        {escapeValue: false, interruptValue: false},
      )
      return answer
    },
    onChanges: (changes) => {
      const count = changes.changes.length
      if (count > 0)
        screen.note(
          `${count} file${count === 1 ? '' : 's'} changed in the sandbox:\n${indent(renderChangeSummary(changes).trimEnd())}`,
        )
      state.activity = count > 0 ? '' : 'Closing the sandbox…'
      screen.scheduleRender()
    },
    decide: async () => {
      const decision = await prompts.choose<ChangesDecision>(
        'Before you go: what about the changes?',
        [
          {key: 'a', label: 'Apply them to the project', value: 'apply'},
          {key: 'k', label: 'Keep the sandbox for later (agent diff / apply / discard)', value: 'keep'},
          {key: 'd', label: 'Discard them', value: 'discard'},
        ],
        {escapeValue: 'keep', interruptValue: 'keep'},
      )
      state.activity = 'Closing the sandbox…'
      screen.scheduleRender()
      return decision
    },
  })
  if (end.outcome === 'unreadable') {
    screen.note(yellow(`Could not list the changes (${errorMessage(end.error)}); keeping the sandbox.`))
  }
  if (end.outcome === 'applied') screen.note(green(renderApplyReport(end.report).trimEnd()))
  if (end.outcome === 'kept' || end.outcome === 'unreadable' || (end.outcome === 'applied' && end.kept)) {
    screen.note(
      `The sandbox is kept (stopped): ${dim(`agent diff ${session.id}`)}, then ${dim(`agent apply ${session.id}`)} or ${dim(`agent discard ${session.id}`)}.`,
    )
  }
  if (end.outcome === 'discarded') screen.note('Discarded the changes.')
  state.activity = ''
  state.sandboxState = 'closed'
  screen.flush()
  return 0
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}
