// What a slash command (and each part of the session) is given: the options, the state, and the UI's services.
import type {ChatAuth} from './chat-auth.js'
import type {ChatOptions} from './chat-options.js'
import type {ChatPrompts} from './chat-prompts.js'
import type {ChatSandbox} from './chat-sandbox.js'
import type {ChatScreen} from './chat-screen.js'
import type {ChatState} from './chat-state.js'
import type {SlashCommand} from './commands/slash-command.js'

export interface ChatContext {
  readonly options: ChatOptions
  /** The session's state: the conversation, the model, the sandbox, what runs. */
  readonly state: ChatState
  /** Printing (`note`), notices and redrawing. */
  readonly screen: ChatScreen
  /** Questions in place of the prompt (`choose`, `question`). */
  readonly prompts: ChatPrompts
  readonly sandbox: ChatSandbox
  readonly auth: ChatAuth
  /** The table of slash commands (for /help). */
  readonly commands: readonly SlashCommand[]
}
