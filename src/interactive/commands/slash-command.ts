// A slash command of the interactive session: its name and help as data, and what it does given the session.
import type {ChatContext} from '../chat-context.js'

export interface SlashCommandInfo {
  name: string
  aliases?: readonly string[]
  /** Shown after the name in /help, e.g. `[name]`. */
  usage?: string
  summary: string
}

export interface SlashCommand extends SlashCommandInfo {
  /** Runs the command with what followed its name (trimmed); 'quit' ends the session. */
  run(context: ChatContext, args: string): Promise<'quit' | void> | 'quit' | void
}
