// /model [name]: show the model, or use another one from the next message on.
import type {SlashCommand} from './slash-command.js'

export const modelCommand: SlashCommand = {
  name: 'model',
  usage: '[name]',
  summary: 'Show the model, or switch to another one',
  run({state, screen}, args) {
    const {bold, dim, yellow} = screen.style
    if (args === '') {
      const current = state.modelLabel()
      screen.note(
        current
          ? `Model: ${bold(current)}${state.providerId ? dim(` (via ${state.providerId})`) : ''}. /model <name> switches.`
          : 'No model yet: /auth chooses how to connect to one.',
      )
      return
    }
    if (!state.baseModel) {
      screen.note(yellow('Choose an authentication method first: /auth.'))
      return
    }
    state.modelName = args
    screen.note(`Model: ${bold(args)} from the next message on.`)
  },
}
