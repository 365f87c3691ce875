// /compress: replaces the older part of the conversation with a summary the model writes, keeping the newest turns
// (what happens on its own near the context window, now).
import {toModelToolSchema} from '../../agent/tool-schemas.js'
import type {SlashCommand} from './slash-command.js'

export const compressCommand: SlashCommand = {
  name: 'compress',
  summary: 'Summarise the older part of the conversation to free the context window',
  async run({state, screen, options}) {
    const {yellow, dim} = screen.style
    const model = state.model()
    if (!model) return screen.note(yellow('No model yet: /auth chooses how to connect to one.'))
    state.limits ??= options.limits?.(model.model)
    const budget = state.limits?.contextBudget
    if (!budget) return screen.note(yellow('Compression is not available in this session.'))
    if (budget.threshold <= 0)
      return screen.note(yellow('Compression is off (model.chatCompression.contextPercentageThreshold is 0).'))
    if (state.conversation.length === 0) return screen.note(dim('Nothing to compress: the conversation is empty.'))
    const controller = new AbortController()
    state.turn = controller
    state.activity = 'Compressing…'
    const tools = options.tools.map(toModelToolSchema)
    const outcome = await budget.compress(state.conversation, tools, model, controller.signal, 'manual')
    if (outcome.status === 'noop') return screen.note(dim(`Not compressed: ${outcome.reason}.`))
    state.recorder?.usage(outcome.usage)
    screen.transcript.handle({type: 'usage', usage: outcome.usage})
    if (outcome.status === 'failed') {
      screen.transcript.handle({
        type: 'history_not_compressed',
        trigger: 'manual',
        tokensBefore: outcome.tokensBefore,
        reason: outcome.reason,
      })
      return
    }
    state.conversation.splice(0, state.conversation.length, ...outcome.messages)
    state.recorder?.history(state.conversation, {before: outcome.tokensBefore, after: outcome.tokensAfter})
    screen.transcript.handle({
      type: 'history_compressed',
      trigger: 'manual',
      tokensBefore: outcome.tokensBefore,
      tokensAfter: outcome.tokensAfter,
      windowTokens: budget.windowTokens,
    })
  },
}
