// Quitting without losing anything: with changes in the sandbox, asks whether to apply them, keep the sandbox, or
// discard them.
import {renderApplyReport, renderChangeSummary} from '../sandbox/changes/render-changes.js'
import type {ChangeSet} from '../sandbox/types.js'
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
  let changes: ChangeSet | undefined
  try {
    changes = await session.changes()
  } catch (error) {
    screen.note(yellow(`Could not list the changes (${errorMessage(error)}); keeping the sandbox.`))
  }
  let decision: 'apply' | 'keep' | 'discard' = changes && changes.changes.length === 0 ? 'discard' : 'keep'
  if (changes && changes.changes.length > 0) {
    const count = changes.changes.length
    screen.note(
      `${count} file${count === 1 ? '' : 's'} changed in the sandbox:\n${indent(renderChangeSummary(changes).trimEnd())}`,
    )
    state.activity = ''
    decision = await prompts.choose<'apply' | 'keep' | 'discard'>(
      'Before you go: what about the changes?',
      [
        {key: 'a', label: 'Apply them to the project', value: 'apply'},
        {key: 'k', label: 'Keep the sandbox for later (agent diff / apply / discard)', value: 'keep'},
        {key: 'd', label: 'Discard them', value: 'discard'},
      ],
      {escapeValue: 'keep', interruptValue: 'keep'},
    )
  }
  state.activity = 'Closing the sandbox…'
  screen.scheduleRender()
  options.cleanup.delete(session)
  if (decision === 'apply' && changes) {
    const report = await session.apply(changes)
    screen.note(green(renderApplyReport(report).trimEnd()))
    if (report.refused.length > 0) decision = 'keep'
  }
  if (decision === 'keep') {
    await session.keep()
    screen.note(
      `The sandbox is kept (stopped): ${dim(`agent diff ${session.id}`)}, then ${dim(`agent apply ${session.id}`)} or ${dim(`agent discard ${session.id}`)}.`,
    )
  } else {
    await session.close()
    if (decision === 'discard' && changes && changes.changes.length > 0) screen.note('Discarded the changes.')
  }
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
