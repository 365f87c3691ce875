// /resume [ID]: lists this project's saved conversations, or continues one here (its history is sent again; it
// works in this session's sandbox, and the model is told when that is not the one it used before).
import {FRESH_SANDBOX_NOTE} from '../../sessions/index.js'
import {todoLines} from '../../output/todo-lines.js'
import {startNewConversation} from '../chat-state.js'
import type {SlashCommand} from './slash-command.js'

const LISTED = 10

export const resumeCommand: SlashCommand = {
  name: 'resume',
  usage: '[id]',
  summary: 'List saved conversations of this project, or continue one',
  async run({state, screen, options}, args) {
    const {yellow, dim, bold} = screen.style
    const sessions = options.sessions
    if (!sessions) return screen.note(yellow('Saved conversations are not available in this session.'))
    if (args === '') {
      const {sessions: found, problems} = await sessions.recent()
      for (const line of problems) screen.note(yellow(line))
      const others = found.filter((session) => session.id !== state.recorder?.id).slice(0, LISTED)
      if (others.length === 0) return screen.note(dim('No saved conversations of this project yet.'))
      const lines = others.map(
        (session) =>
          `  ${bold(session.id.slice(0, 8))}  ${session.title.replace(/\s+/g, ' ').slice(0, 50)}  ` +
          dim(`${session.messages} messages · ${age(session.updatedAt)}`),
      )
      screen.note([`Saved conversations (newest first):`, ...lines, dim('/resume <id> continues one.')].join('\n'))
      return
    }
    const {session, recorder} = await sessions.load(args)
    startNewConversation(state)
    state.conversation = [...session.messages]
    state.recorder = recorder
    const sandbox = state.session?.id
    if (sandbox && session.sandboxSessionId !== sandbox) {
      const note = {role: 'user' as const, content: FRESH_SANDBOX_NOTE}
      state.conversation.push(note)
      recorder.message(note)
    }
    if (sandbox) {
      recorder.sandbox(sandbox)
      state.recordedSandbox = sandbox
    }
    screen.note(
      `Resumed "${session.header.title.replace(/\s+/g, ' ').slice(0, 60)}" (${session.summary.messages} messages). ` +
        dim('Its earlier messages are sent with your next one; they are not shown again here.'),
    )
    if (session.todos.length > 0) screen.note(todoLines(session.todos, screen.style).join('\n'))
  },
}

function age(when: Date): string {
  const minutes = Math.round((Date.now() - when.getTime()) / 60_000)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`
}
