// What the agent loop tells whoever saves the conversation (src/sessions writes it to disk); the loop knows no files.
import type {TodoItem} from '../tools/types.js'
import type {ModelMessage, TokenUsage} from './model-client.js'

export interface ConversationRecorder {
  readonly id: string
  message(message: ModelMessage): void
  /** The history was rewritten (compression): the new messages replace all earlier ones. */
  history(messages: readonly ModelMessage[], tokens?: {before: number; after: number}): void
  usage(usage: TokenUsage): void
  sandbox(sandboxSessionId: string): void
  /** The model's plan changed (todo_write): the whole list. */
  todos?(todos: readonly TodoItem[]): void
  end(reason: string): void
}
