// `agent --acp`: the Agent Client Protocol over stdio with @agentclientprotocol/sdk. One sandbox per ACP session for
// the client's cwd; each prompt is a run of the same agent loop, its events sent as session/update notifications.
import {randomUUID} from 'node:crypto'
import {Readable, Writable} from 'node:stream'

import {
  agent,
  methods,
  ndJsonStream,
  PROTOCOL_VERSION,
  RequestError,
  type AgentContext,
  type ContentBlock,
  type StopReason,
} from '@agentclientprotocol/sdk'

import {
  createApprovals,
  type ApprovalMode,
  type ApprovalPrompter,
  type SwitchableApprovals,
} from '../../agent/approvals.js'
import type {ModelClient, ModelMessage} from '../../agent/model-client.js'
import {runAgent} from '../../agent/run-agent.js'
import {isAgentError} from '../../errors.js'
import type {Logger} from '../../logging/logger.js'
import type {SandboxSession} from '../../sandbox/types.js'
import type {ToolDefinition} from '../../tools/types.js'
import {createAcpPrompter} from './acp-prompter.js'
import {APPLY_CHANGES_TOOL, applyChangesTool} from './apply-changes-tool.js'
import {changeDiffs} from './change-diffs.js'
import {EventUpdates} from './event-updates.js'

/** What one ACP session works with, made for the client's cwd. */
export interface AcpSessionParts {
  projectRoot: string
  model: ModelClient
  tools: ToolDefinition<unknown>[]
  sandbox: SandboxSession
  approvalMode: ApprovalMode
  maxTurns: number
}

export interface AcpServerOptions {
  input: NodeJS.ReadableStream
  output: NodeJS.WritableStream
  version: string
  logger: Logger
  /** Auth methods offered in initialize: our auth providers. */
  authMethods(): Promise<{id: string; name: string; description: string}[]>
  /** The provider chosen by `authenticate` (used by later sessions). */
  selectAuth(methodId: string): Promise<void>
  /** Config, model client, tools and a started sandbox for a project directory. */
  openSession(cwd: string, signal: AbortSignal): Promise<AcpSessionParts>
  /** Kept or removed when the connection ends: the usual rules (a sandbox with unapplied changes is kept). */
  closeSession(sandbox: SandboxSession): Promise<void>
}

interface Session {
  parts: AcpSessionParts
  conversation: ModelMessage[]
  approvals: SwitchableApprovals
  /** The client of the running prompt (permission requests go to it). */
  client: AgentContext | undefined
  turn: AbortController | undefined
}

/** Serves until the client closes the connection; every session's sandbox is then closed by the usual rules. */
export async function serveAcp(options: AcpServerOptions): Promise<void> {
  const log = options.logger.child({component: 'acp'})
  const sessions = new Map<string, Session>()

  const app = agent({name: 'sandboxed-agent'})
    .onRequest(methods.agent.initialize, async () => ({
      protocolVersion: PROTOCOL_VERSION,
      agentCapabilities: {
        loadSession: false,
        promptCapabilities: {image: false, audio: false, embeddedContext: true},
      },
      authMethods: await reported(options.authMethods()),
      agentInfo: {name: 'sandboxed-agent', title: 'sandboxed-agent', version: options.version},
    }))
    .onRequest(methods.agent.authenticate, async ({params}) => {
      await reported(options.selectAuth(params.methodId))
      return {}
    })
    .onRequest(methods.agent.session.new, async ({params, signal}) => {
      const parts = await reported(options.openSession(params.cwd, signal))
      const sessionId = randomUUID()
      const session: Session = {
        parts: {...parts, tools: [...parts.tools, applyChangesTool as ToolDefinition<unknown>]},
        conversation: [],
        approvals: createApprovals({mode: parts.approvalMode, prompter: delegatingPrompter(() => session)}),
        client: undefined,
        turn: undefined,
      }
      sessions.set(sessionId, session)
      log.info({sessionId, sandbox: parts.sandbox.id, cwd: params.cwd}, 'session opened')
      return {sessionId}
    })
    .onRequest(methods.agent.session.prompt, async ({params, client, signal}) => {
      const session = sessions.get(params.sessionId)
      if (!session) throw RequestError.sessionNotFound(params.sessionId)
      if (session.turn) throw RequestError.invalidRequest(undefined, 'a prompt is already running in this session')
      const text = promptText(params.prompt)
      if (text.trim() === '') throw RequestError.invalidParams(undefined, 'the prompt has no text')
      const controller = new AbortController()
      session.turn = controller
      session.client = client
      const updates = new EventUpdates()
      const {parts} = session
      let stopReason: StopReason = 'end_turn'
      try {
        const run = runAgent({
          model: parts.model,
          tools: parts.tools,
          session: parts.sandbox,
          approvals: session.approvals,
          signal: AbortSignal.any([controller.signal, signal]),
          maxTurns: parts.maxTurns,
          prompt: text,
          logger: options.logger,
          cwd: parts.projectRoot,
          conversation: session.conversation,
        })
        for await (const event of run) {
          for (const update of updates.translate(event))
            await client.notify(methods.client.session.update, {sessionId: params.sessionId, update})
          if (event.type === 'run_finished')
            stopReason =
              event.reason === 'canceled'
                ? 'cancelled'
                : event.reason === 'max_turns'
                  ? 'max_turn_requests'
                  : 'end_turn'
          if (event.type === 'run_failed') throw RequestError.internalError(undefined, event.message)
        }
      } finally {
        session.turn = undefined
        session.client = undefined
      }
      return {stopReason}
    })
    .onNotification(methods.agent.session.cancel, ({params}) => {
      sessions.get(params.sessionId)?.turn?.abort(new DOMException('Cancelled by the client', 'AbortError'))
    })

  function delegatingPrompter(session: () => Session): ApprovalPrompter {
    return {
      ask(request, signal) {
        const current = session()
        const client = current.client
        if (!client) return Promise.resolve({outcome: 'deny', reason: 'no client to ask'})
        const sessionId = [...sessions].find(([, value]) => value === current)?.[0] ?? ''
        return createAcpPrompter({
          client: {
            requestPermission: (params) =>
              client.request(
                methods.client.session.requestPermission,
                {sessionId, ...params},
                {cancellationSignal: signal},
              ),
          },
          contentFor: async (asked) =>
            asked.toolName === APPLY_CHANGES_TOOL ? changeDiffs(current.parts.sandbox, current.parts.projectRoot) : [],
        }).ask(request, signal)
      },
    }
  }

  const stream = ndJsonStream(
    Writable.toWeb(options.output as Writable) as WritableStream<Uint8Array>,
    Readable.toWeb(options.input as Readable) as ReadableStream<Uint8Array>,
  )
  const connection = app.connect(stream)
  try {
    await connection.closed
  } finally {
    for (const session of sessions.values()) {
      session.turn?.abort()
      await options
        .closeSession(session.parts.sandbox)
        .catch((error: unknown) => log.warn({err: error}, 'closing a session failed'))
    }
  }
}

/** The text of a prompt: text blocks and embedded text resources (images and audio are not offered). */
function promptText(blocks: ContentBlock[]): string {
  return blocks
    .map((block) => {
      if (block.type === 'text') return block.text
      if (block.type === 'resource' && 'text' in block.resource)
        return `\n<file uri="${block.resource.uri}">\n${block.resource.text}\n</file>\n`
      if (block.type === 'resource_link') return `(${block.uri})`
      return ''
    })
    .join('')
}

/** The work's result, or its failure as the editor should read it. */
async function reported<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    throw failure(error)
  }
}

/**
 * A request's failure for the editor. Our own errors (a tool name clash naming both plugins, no credentials, no image)
 * are the one line a person acts on, sent as the error's message as is: editors show `message` and hide `data`.
 */
function failure(error: unknown): RequestError {
  if (isAgentError(error)) return new RequestError(INTERNAL_ERROR, error.oneLine(), {exitCode: error.exitCode})
  return RequestError.internalError(undefined, error instanceof Error ? error.message : String(error))
}

/** JSON-RPC's code for a failure on the server's side (ACP defines no finer one for these). */
const INTERNAL_ERROR = -32603
