// Starts the saved conversation of a run: a new one, the project's last (--continue) or a given one (--resume ID),
// whose earlier messages the run sends again. Old sessions are pruned by the retention setting on the way.
import type {ModelMessage} from '../agent/model-client.js'
import {UserInputError} from '../errors.js'
import type {Logger} from '../logging/logger.js'
import {createRedactor} from './redact-secrets.js'
import type {SessionRecorder} from './session-recorder.js'
import {ConversationStore, type LoadedSession, type SessionRetention} from './session-store.js'

/** Told to the model when a resumed conversation works in a new sandbox (the old one is gone or was not kept). */
export const FRESH_SANDBOX_NOTE =
  'Note: this conversation is resumed in a fresh sandbox with a new copy of the project. Changes made earlier in ' +
  'the conversation that the user did not apply are gone: look at the files again before relying on them.'

export interface OpenConversationOptions {
  dataDir: string
  projectRoot: string
  /** The run's environment: secret-looking values in it are never written. */
  env: Readonly<Record<string, string | undefined>>
  command: string
  /** The first prompt (the title in listings). */
  title: string
  model?: string | undefined
  approvalMode?: string | undefined
  network?: string | undefined
  /** The project's last session (a new one when there is none). */
  continue?: boolean | undefined
  /** A session by id or unique prefix. */
  resume?: string | undefined
  /** The id for a new session (SDK `--session-id`). */
  sessionId?: string | undefined
  retention?: SessionRetention | undefined
  logger?: Logger | undefined
  /** One line for the user (default: stderr). */
  note?: (line: string) => void
}

export interface OpenedConversation {
  recorder: SessionRecorder
  /** The messages of the session resumed (undefined for a new session). */
  messages: ModelMessage[] | undefined
  resumed: LoadedSession | undefined
}

export async function openConversation(options: OpenConversationOptions): Promise<OpenedConversation> {
  const store = new ConversationStore(options.dataDir)
  const redact = createRedactor(options.env)
  const note = options.note ?? ((line: string) => process.stderr.write(`Note: ${line}\n`))
  let resumed: LoadedSession | undefined
  if (options.resume !== undefined) {
    resumed = await store.load(options.resume)
    if (resumed.header.projectRoot !== options.projectRoot)
      throw new UserInputError(`Session ${resumed.header.id} belongs to ${resumed.header.projectRoot}`, {
        hint: `Resume it from there: --cwd ${resumed.header.projectRoot}`,
      })
  } else if (options.continue) {
    const latest = await store.latest(options.projectRoot)
    if (latest) resumed = await store.load(latest.id)
    else note('no earlier session of this project to continue; starting a new one')
  }
  try {
    const removed = await store.prune(options.retention ?? {}, resumed ? [resumed.header.id] : [])
    if (removed.length > 0) options.logger?.info({removed}, 'old sessions removed (general.sessionRetention)')
  } catch (error) {
    options.logger?.warn({err: error}, 'could not prune old sessions')
  }
  if (resumed) {
    return {
      recorder: store.reopen(resumed.header.id, redact, options.logger),
      messages: [...resumed.messages],
      resumed,
    }
  }
  const recorder = store.create(
    {
      id: options.sessionId,
      projectRoot: options.projectRoot,
      command: options.command,
      title: options.title,
      ...(options.model ? {model: options.model} : {}),
      ...(options.approvalMode ? {approvalMode: options.approvalMode} : {}),
      ...(options.network ? {network: options.network} : {}),
    },
    redact,
    options.logger,
  )
  return {recorder, messages: undefined, resumed: undefined}
}
