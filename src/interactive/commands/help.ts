// /help: the slash commands and the keys.
import type {SlashCommand} from './slash-command.js'

const KEYS: readonly [string, string][] = [
  ['Enter', 'send'],
  ['Ctrl+J, Alt+Enter, \\ Enter', 'new line'],
  ['Up / Down', 'history (and move between lines)'],
  ['Shift+Tab', 'switch the approval mode'],
  ['Ctrl-C', 'cancel what runs, clear the prompt; twice: quit'],
  ['Esc', 'cancel what runs'],
  ['Ctrl-D', 'quit (on an empty prompt)'],
  ['Ctrl+F', 'type into a running command, and back'],
  ['Tab', 'complete a /command'],
]

export const helpCommand: SlashCommand = {
  name: 'help',
  aliases: ['?'],
  summary: 'Show the commands and keys',
  run({screen, commands}) {
    const {bold, dim} = screen.style
    const names = commands.map((command) => {
      const name = `/${command.name}${command.usage ? ` ${command.usage}` : ''}`
      return `  ${bold(name.padEnd(22))}${command.summary}`
    })
    const keys = KEYS.map(([key, what]) => `  ${bold(key.padEnd(28))}${what}`)
    screen.note(
      `Commands:\n${names.join('\n')}\nKeys:\n${keys.join('\n')}\n${dim('Start a message with // to send a line that begins with /.')}`,
    )
  },
}
