// /memory show | refresh | add TEXT: the project's context files (QWEN.md and the like) as Qwen Code's command does.
// refresh and add read the files again and put them into this conversation's system prompt.
import type {ChatContext} from '../chat-context.js'
import type {SlashCommand} from './slash-command.js'

export const memoryCommand: SlashCommand = {
  name: 'memory',
  usage: 'show|refresh|add <text>',
  summary: 'Show the context files, read them again, or remember a fact',
  async run(context, args) {
    const {screen, options} = context
    const {yellow, dim, bold} = screen.style
    const memory = options.memory
    if (!memory) return screen.note(yellow('Context files are not available in this session.'))
    const [sub = 'show', ...rest] = args.split(/\s+/).filter(Boolean)
    switch (sub) {
      case 'show': {
        const files = memory.files()
        if (files.length === 0) return screen.note(dim('No context files (QWEN.md, AGENTS.md) were found.'))
        const chars = files.reduce((sum, file) => sum + file.chars, 0)
        const list = files.map((file) => `  ${file.path} ${dim(`(${file.chars.toLocaleString('en-US')} characters)`)}`)
        screen.note(
          [
            bold(`Context files (${files.length}, ${chars.toLocaleString('en-US')} characters):`),
            ...list,
            '',
            memory.text(),
          ].join('\n'),
        )
        return
      }
      case 'refresh': {
        const notices = await memory.refresh()
        updateSystemPrompt(context)
        for (const line of notices) screen.note(yellow(`Note: ${line}`))
        screen.note(
          `Context files read again: ${memory.files().length} file(s). The model gets them from its next message.`,
        )
        return
      }
      case 'add': {
        const fact = rest.join(' ').trim()
        if (fact === '') return screen.note(yellow('Usage: /memory add <text to remember>'))
        const file = await memory.add(fact)
        updateSystemPrompt(context)
        screen.note(`Remembered in ${file}: ${fact}`)
        return
      }
      default:
        screen.note(yellow(`Unknown /memory ${sub}: use /memory show, /memory refresh or /memory add <text>.`))
    }
  },
}

/** The conversation's system prompt, rebuilt from the files as they are now (a new conversation gets it anyway). */
function updateSystemPrompt({state, options}: ChatContext): void {
  const first = state.conversation[0]
  if (first?.role !== 'system' || !options.systemPrompt) return
  state.conversation[0] = {role: 'system', content: options.systemPrompt()}
  state.recorder?.history(state.conversation)
}
