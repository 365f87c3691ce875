// /quit (/exit, /q): end the session; the quit dialog asks about the changes.
import type {SlashCommand} from './slash-command.js'

export const quitCommand: SlashCommand = {
  name: 'quit',
  aliases: ['exit', 'q'],
  summary: 'End the session (asks about the changes)',
  run: () => 'quit',
}
