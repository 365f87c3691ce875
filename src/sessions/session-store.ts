// The saved conversations under the data directory: list (a corrupt file is one problem line, the others still
// list), load for --continue/--resume, remove, and prune by the retention setting.
import {randomUUID} from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

import {UserInputError} from '../errors.js'
import type {ModelMessage} from '../agent/model-client.js'
import type {Logger} from '../logging/logger.js'
import type {TodoItem} from '../tools/types.js'
import type {Redactor} from './redact-secrets.js'
import {SessionRecorder} from './session-recorder.js'
import {SESSION_FILE_VERSION, sessionRecordSchema, type SessionHeader} from './session-records.js'

export interface SessionSummary {
  id: string
  file: string
  projectRoot: string
  title: string
  createdAt: string
  /** Last write (file modification time). */
  updatedAt: Date
  messages: number
  model?: string
  /** How the last run ended, when it did. */
  ended?: string
}

export interface LoadedSession {
  header: SessionHeader
  summary: SessionSummary
  /** The conversation as the model last saw it (compressions applied). */
  messages: ModelMessage[]
  /** The sandbox session it last worked in. */
  sandboxSessionId?: string
  /** The model's plan as it last wrote it (todo_write); empty when it kept none. */
  todos: TodoItem[]
  usage: {inputTokens: number; outputTokens: number}
}

export interface SessionRetention {
  enabled?: boolean | undefined
  /** `30d`, `12h`, `2w`. */
  maxAge?: string | undefined
  maxCount?: number | undefined
}

export const DEFAULT_SESSION_MAX_AGE = '30d'
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

export class ConversationStore {
  readonly dir: string

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'conversations')
  }

  fileOf(id: string): string {
    if (!ID.test(id)) throw new UserInputError(`Not a session id: ${id}`, {hint: 'See `agent sessions list`'})
    return path.join(this.dir, `${id}.jsonl`)
  }

  /** Starts a new saved conversation (a fresh id unless one is given). */
  create(
    header: Omit<SessionHeader, 'type' | 'version' | 'id' | 'createdAt'> & {id?: string | undefined},
    redact: Redactor,
    logger?: Logger,
  ): SessionRecorder {
    const id = header.id ?? randomUUID()
    const full: SessionHeader = {
      ...header,
      type: 'session',
      version: SESSION_FILE_VERSION,
      id,
      createdAt: new Date().toISOString(),
    }
    return SessionRecorder.create(this.fileOf(id), full, redact, logger)
  }

  /** Appends to an existing conversation (resume). */
  reopen(id: string, redact: Redactor, logger?: Logger): SessionRecorder {
    return new SessionRecorder(id, this.fileOf(id), redact, logger)
  }

  /** Every readable session, newest first; `problems` names each file that could not be read (one line each). */
  async list(filter: {projectRoot?: string} = {}): Promise<{sessions: SessionSummary[]; problems: string[]}> {
    let names: string[]
    try {
      names = (await fs.readdir(this.dir)).filter((name) => name.endsWith('.jsonl'))
    } catch {
      return {sessions: [], problems: []}
    }
    const sessions: SessionSummary[] = []
    const problems: string[] = []
    for (const name of names) {
      const file = path.join(this.dir, name)
      try {
        const loaded = await readSessionFile(file)
        if (filter.projectRoot === undefined || loaded.header.projectRoot === filter.projectRoot)
          sessions.push(loaded.summary)
      } catch (error) {
        problems.push(`Skipped ${file}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    sessions.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
    return {sessions, problems}
  }

  /** A session by id or unique id prefix. */
  async load(idOrPrefix: string): Promise<LoadedSession> {
    const id = await this.resolveId(idOrPrefix)
    try {
      return await readSessionFile(this.fileOf(id))
    } catch (error) {
      throw new UserInputError(`Cannot read session ${id}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: `Remove it with \`agent sessions rm ${id}\``,
      })
    }
  }

  /** The most recently updated session of a project, if any. */
  async latest(projectRoot: string): Promise<SessionSummary | undefined> {
    return (await this.list({projectRoot})).sessions[0]
  }

  async remove(idOrPrefix: string): Promise<string> {
    const id = await this.resolveId(idOrPrefix)
    await fs.rm(this.fileOf(id), {force: true})
    return id
  }

  /** Removes sessions older than maxAge (default 30 days) and beyond maxCount; never the ones in `keep`. */
  async prune(retention: SessionRetention = {}, keep: readonly string[] = []): Promise<string[]> {
    if (retention.enabled === false) return []
    const maxAgeMs = durationMs(retention.maxAge ?? DEFAULT_SESSION_MAX_AGE)
    const {sessions} = await this.list()
    const removed: string[] = []
    const cutoff = Date.now() - maxAgeMs
    for (const [index, session] of sessions.entries()) {
      if (keep.includes(session.id)) continue
      const tooOld = session.updatedAt.getTime() < cutoff
      const tooMany = retention.maxCount !== undefined && index >= retention.maxCount
      if (!tooOld && !tooMany) continue
      await fs.rm(session.file, {force: true})
      removed.push(session.id)
    }
    return removed
  }

  private async resolveId(idOrPrefix: string): Promise<string> {
    if (!ID.test(idOrPrefix))
      throw new UserInputError(`Not a session id: ${idOrPrefix}`, {hint: 'See `agent sessions list`'})
    let names: string[] = []
    try {
      names = await fs.readdir(this.dir)
    } catch {
      // no sessions yet
    }
    const ids = names.filter((name) => name.endsWith('.jsonl')).map((name) => name.slice(0, -'.jsonl'.length))
    if (ids.includes(idOrPrefix)) return idOrPrefix
    const matches = ids.filter((id) => id.startsWith(idOrPrefix))
    if (matches.length === 1) return matches[0] as string
    if (matches.length > 1)
      throw new UserInputError(`Session id ${idOrPrefix} is ambiguous (${matches.length} sessions start with it)`, {
        hint: 'Give more of the id',
      })
    throw new UserInputError(`No saved session ${idOrPrefix}`, {hint: 'See `agent sessions list`'})
  }
}

/** Reads one file; a torn last line (a crash mid-write) is dropped, any other bad line makes the file unreadable. */
export async function readSessionFile(file: string): Promise<LoadedSession> {
  const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)])
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  let header: SessionHeader | undefined
  let messages: ModelMessage[] = []
  let sandboxSessionId: string | undefined
  let ended: string | undefined
  let todos: TodoItem[] = []
  const usage = {inputTokens: 0, outputTokens: 0}
  for (const [index, line] of lines.entries()) {
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      if (index === lines.length - 1 && index > 0) break
      throw new Error(`not a session file (line ${index + 1} is not valid JSON)`)
    }
    const parsed = sessionRecordSchema.safeParse(json)
    if (!parsed.success) throw new Error(`not a session file (line ${index + 1} is not a session record)`)
    const record = parsed.data
    if (index === 0 && record.type !== 'session') throw new Error('not a session file (no header line)')
    switch (record.type) {
      case 'session':
        header = record
        break
      case 'message':
        messages.push(record.message)
        break
      case 'history':
        messages = [...record.messages]
        break
      case 'usage':
        usage.inputTokens += record.inputTokens
        usage.outputTokens += record.outputTokens
        break
      case 'sandbox':
        sandboxSessionId = record.sandboxSessionId
        break
      case 'end':
        ended = record.reason
        break
      case 'todos':
        todos = record.todos
        break
    }
  }
  if (!header) throw new Error('not a session file (it is empty)')
  const summary: SessionSummary = {
    id: header.id,
    file,
    projectRoot: header.projectRoot,
    title: header.title,
    createdAt: header.createdAt,
    updatedAt: stat.mtime,
    messages: messages.filter((message) => message.role !== 'system').length,
    ...(header.model ? {model: header.model} : {}),
    ...(ended ? {ended} : {}),
  }
  return {header, summary, messages, usage, todos, ...(sandboxSessionId ? {sandboxSessionId} : {})}
}

/** `30d`, `12h`, `2w` in milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+)\s*([hdw])$/.exec(text.trim())
  if (!match) throw new UserInputError(`Invalid duration "${text}"`, {hint: 'Use a number and h, d or w, such as 30d'})
  const unit = {h: 3_600_000, d: 86_400_000, w: 604_800_000}[match[2] as 'h' | 'd' | 'w']
  return Number(match[1]) * unit
}
