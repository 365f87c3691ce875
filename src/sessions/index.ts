// Saved conversations: JSON lines under the data directory, written as they go; list, load, resume, retention.
export {createChatSessions, type ChatSessions, type ChatSessionsOptions} from './chat-sessions.js'
export {
  FRESH_SANDBOX_NOTE,
  openConversation,
  type OpenConversationOptions,
  type OpenedConversation,
} from './open-conversation.js'
export {createRedactor, REDACTED, type Redactor} from './redact-secrets.js'
export {SessionRecorder} from './session-recorder.js'
export {
  ConversationStore,
  DEFAULT_SESSION_MAX_AGE,
  readSessionFile,
  type LoadedSession,
  type SessionRetention,
  type SessionSummary,
} from './session-store.js'
export type {SessionHeader, SessionRecord} from './session-records.js'
