// /stats: model, sandbox, messages, model turns, tokens, tool calls, changes, time.
import type {SlashCommand} from './slash-command.js'

export const statsCommand: SlashCommand = {
  name: 'stats',
  summary: 'Turns, tokens, tool calls and time',
  run({state, screen}) {
    const {transcript} = screen
    const {usage} = transcript
    const minutes = ((Date.now() - state.startedAt) / 60_000).toFixed(1)
    const lines = [
      `Model       ${state.modelLabel() ?? '(none)'}${state.providerId ? ` via ${state.providerId}` : ''}`,
      `Sandbox     ${state.session?.id ?? '(none)'} (${state.sandboxState})`,
      `Messages    ${state.prompts} · model turns ${transcript.turns}`,
      `Tokens      ${usage.inputTokens.toLocaleString('en-US')} in / ${usage.outputTokens.toLocaleString('en-US')} out`,
      `Tool calls  ${transcript.toolCalls} (${transcript.failedToolCalls} failed or refused)`,
      `Changes     ${state.changedFiles} file${state.changedFiles === 1 ? '' : 's'} in the sandbox`,
      `Approval    ${state.approvals.mode}`,
      `Time        ${minutes} min`,
    ]
    screen.note(lines.join('\n'))
  },
}
