// /clear: an empty screen and a new conversation; the sandbox keeps its files.
import {startNewConversation} from '../chat-state.js'
import type {SlashCommand} from './slash-command.js'

export const clearCommand: SlashCommand = {
  name: 'clear',
  summary: 'Clear the screen, start a new conversation',
  run({state, screen}) {
    screen.clearScreen()
    startNewConversation(state)
    screen.note(screen.style.dim('New conversation. The sandbox keeps its files (/diff shows them).'))
  },
}
