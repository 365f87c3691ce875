// Writes a conversation as it happens: one JSON line per record, appended at once, so a crash loses at most the turn
// in flight. Secrets are redacted from every line before it is written.
import fs from 'node:fs'
import path from 'node:path'

import type {ConversationRecorder} from '../agent/conversation-recorder.js'
import type {ModelMessage, TokenUsage} from '../agent/model-client.js'
import type {Logger} from '../logging/logger.js'
import type {TodoItem} from '../tools/types.js'
import type {Redactor} from './redact-secrets.js'
import type {SessionHeader, SessionRecord} from './session-records.js'

export class SessionRecorder implements ConversationRecorder {
  private broken = false

  constructor(
    readonly id: string,
    readonly file: string,
    private readonly redact: Redactor,
    private readonly logger?: Logger,
  ) {}

  /** Creates the file with its header line (user-only access). */
  static create(file: string, header: SessionHeader, redact: Redactor, logger?: Logger): SessionRecorder {
    fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700})
    const recorder = new SessionRecorder(header.id, file, redact, logger)
    recorder.write(header)
    return recorder
  }

  message(message: ModelMessage): void {
    this.write({type: 'message', at: now(), message})
  }

  history(messages: readonly ModelMessage[], tokens?: {before: number; after: number}): void {
    this.write({
      type: 'history',
      at: now(),
      messages: [...messages],
      ...(tokens ? {tokensBefore: tokens.before, tokensAfter: tokens.after} : {}),
    })
  }

  usage(usage: TokenUsage): void {
    this.write({type: 'usage', at: now(), inputTokens: usage.inputTokens, outputTokens: usage.outputTokens})
  }

  sandbox(sandboxSessionId: string): void {
    this.write({type: 'sandbox', at: now(), sandboxSessionId})
  }

  todos(todos: readonly TodoItem[]): void {
    this.write({type: 'todos', at: now(), todos: todos.map((todo) => ({...todo}))})
  }

  end(reason: string): void {
    this.write({type: 'end', at: now(), reason})
  }

  /** A disk that fills up must not end the run: the first failure is logged, the rest of the recording is skipped. */
  private write(record: SessionRecord): void {
    if (this.broken) return
    try {
      fs.appendFileSync(this.file, `${this.redact(JSON.stringify(record))}\n`, {mode: 0o600})
    } catch (error) {
      this.broken = true
      this.logger?.warn({err: error, file: this.file}, 'could not save the conversation; recording stops')
    }
  }
}

function now(): string {
  return new Date().toISOString()
}
