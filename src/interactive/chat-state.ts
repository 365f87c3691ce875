// The session's state in one place: what runs, the conversation, the model in use, and the sandbox.
import type {SwitchableApprovals} from '../agent/approvals.js'
import type {ConversationRecorder} from '../agent/conversation-recorder.js'
import type {ContextLimits} from '../cli/context-limits.js'
import type {ModelClient, ModelMessage} from '../agent/model-client.js'
import type {SandboxSession} from '../sandbox/types.js'
import type {Submission} from './line-editor.js'

export type SandboxState = 'starting' | 'ready' | 'failed' | 'restarting' | 'closed'

export class ChatState {
  readonly startedAt = Date.now()

  /** idle: the prompt waits for a message; busy: a message, a command or the quit dialog runs. */
  phase: 'idle' | 'busy' = 'busy'
  /** What runs, in words, next to the spinner ('Applying…'); empty: the transcript's phase says it. */
  activity = ''
  /** The model turn (or login) that Ctrl-C and Esc cancel. */
  turn: AbortController | undefined
  cancelling = false
  quitRequested = false
  /** Messages typed while something ran, sent one by one when it ends (Up takes them back into the prompt). */
  readonly queued: Submission[] = []
  /** The prompt takes the next message while something runs (not while quitting). */
  typeAhead = true

  /** The conversation the model sees; /clear empties it. */
  conversation: ModelMessage[] = []
  /** Saves the conversation (made with its first message; /clear starts another, /resume continues an old one). */
  recorder: ConversationRecorder | undefined
  /** The sandbox the saved conversation was last told about. */
  recordedSandbox: string | undefined
  /** The conversation's context budget and loop detection (made with its first message, for the model then used). */
  limits: ContextLimits | undefined
  /** Messages sent by the user. */
  prompts = 0

  baseModel: ModelClient | undefined
  /** /model <name>: the model used from the next message on (the provider's own when unset). */
  modelName: string | undefined
  providerId: string | undefined

  session: SandboxSession | undefined
  sandboxState: SandboxState = 'starting'
  sandboxError = ''
  changedFiles = 0

  constructor(readonly approvals: SwitchableApprovals) {}

  /** The model to talk to: the provider's client, asked for another model name after /model. */
  model(): ModelClient | undefined {
    const base = this.baseModel
    const name = this.modelName
    if (!base || !name || name === base.model) return base
    return {model: name, stream: (request, signal) => base.stream({...request, model: name}, signal)}
  }

  /** The model's name as shown (undefined before authentication). */
  modelLabel(): string | undefined {
    return this.modelName ?? this.baseModel?.model
  }
}

/** A new, empty conversation (/clear): nothing of the old one is sent, saved to, or counted against the window. */
export function startNewConversation(state: ChatState): void {
  state.conversation = []
  state.recorder = undefined
  state.recordedSandbox = undefined
  state.limits = undefined
}
