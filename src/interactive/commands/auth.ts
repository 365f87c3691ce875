// /auth [provider]: choose how to authenticate, or log in again, without restarting.
import type {SlashCommand} from './slash-command.js'

export const authCommand: SlashCommand = {
  name: 'auth',
  usage: '[provider]',
  summary: 'Choose how to authenticate, or log in again',
  run: ({auth}, args) => auth.choose(args),
}
