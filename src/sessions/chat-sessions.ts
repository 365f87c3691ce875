// Saved conversations for interactive mode: a new one starts with the first message, /resume lists this project's
// recent ones and continues one (its recorder appends to the same file), as `agent run --continue` does.
import type {ConversationRecorder} from '../agent/conversation-recorder.js'
import {UserInputError} from '../errors.js'
import type {Logger} from '../logging/logger.js'
import {createRedactor} from './redact-secrets.js'
import {ConversationStore, type LoadedSession, type SessionRetention, type SessionSummary} from './session-store.js'

export interface ChatSessions {
  /** Starts saving a new conversation; its first message is the title in listings. */
  start(title: string): ConversationRecorder
  /** This project's saved conversations, newest first, and a line for each file that could not be read. */
  recent(): Promise<{sessions: SessionSummary[]; problems: string[]}>
  /** A saved conversation of this project, and a recorder that appends to it. */
  load(idOrPrefix: string): Promise<{session: LoadedSession; recorder: ConversationRecorder}>
}

export interface ChatSessionsOptions {
  dataDir: string
  projectRoot: string
  /** Secret-looking values of the environment are never written. */
  env: Readonly<Record<string, string | undefined>>
  model?: string | undefined
  approvalMode?: string | undefined
  network?: string | undefined
  retention?: SessionRetention | undefined
  logger?: Logger | undefined
}

export function createChatSessions(options: ChatSessionsOptions): ChatSessions {
  const store = new ConversationStore(options.dataDir)
  const redact = createRedactor(options.env)
  // Old sessions are pruned once, when the session starts (best effort, like `agent run`).
  store.prune(options.retention ?? {}).then(
    (removed) => {
      if (removed.length > 0) options.logger?.info({removed}, 'old sessions removed (general.sessionRetention)')
    },
    (error: unknown) => options.logger?.warn({err: error}, 'could not prune old sessions'),
  )
  return {
    start(title) {
      return store.create(
        {
          projectRoot: options.projectRoot,
          command: 'chat',
          title,
          ...(options.model ? {model: options.model} : {}),
          ...(options.approvalMode ? {approvalMode: options.approvalMode} : {}),
          ...(options.network ? {network: options.network} : {}),
        },
        redact,
        options.logger,
      )
    },
    recent: () => store.list({projectRoot: options.projectRoot}),
    async load(idOrPrefix) {
      const session = await store.load(idOrPrefix)
      if (session.header.projectRoot !== options.projectRoot)
        throw new UserInputError(`Session ${session.header.id} belongs to ${session.header.projectRoot}`, {
          hint: `Resume it from there: agent chat --cwd ${session.header.projectRoot}`,
        })
      return {session, recorder: store.reopen(session.header.id, redact, options.logger)}
    },
  }
}
