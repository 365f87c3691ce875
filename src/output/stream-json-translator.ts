// Turns the AgentEvent stream into stream-json protocol messages (shared by the stream-json and json renderers).
import {randomUUID} from 'node:crypto'

import type {AgentEvent} from '../agent/events.js'
import type {TokenUsage} from '../agent/model-client.js'
import type {ApplyReport, ChangeSet, NetworkSummary} from '../sandbox/types.js'
import type {
  AssistantMessage,
  ResultMessage,
  StreamEvent,
  StreamJsonMessage,
  StreamJsonUsage,
  SystemInitMessage,
} from './stream-json-schema.js'

export interface TranslatorOptions {
  /** Emit `stream_event` messages for text and tool-call deltas and live tool output. */
  includePartialMessages?: boolean
  agentVersion?: string
  /** The conversation id reported as `session_id` (default: a new UUID). */
  sessionId?: string
  /** Said once in the init message (flags that could not be honoured). */
  notices?: readonly string[]
  /** The MCP servers for the init message, asked when it is written (the servers are listed once the sandbox is open). */
  mcpServers?: () => readonly McpServerStatus[]
  now?: () => number
}

type PermissionMode = SystemInitMessage['permission_mode']
export type McpServerStatus = SystemInitMessage['mcp_servers'][number]

/** The same modes by the Claude Agent SDK's names (its init message types `permissionMode`). */
const CLAUDE_MODE_NAMES = {
  default: 'default',
  'auto-edit': 'acceptEdits',
  yolo: 'bypassPermissions',
} as const satisfies Record<PermissionMode, SystemInitMessage['permissionMode']>

export class StreamJsonTranslator {
  private readonly sessionId: string
  private sandboxId = ''
  private model = ''
  private readonly started: number
  private apiMs = 0
  private turnStartedAt: number | undefined
  private turnUsage: TokenUsage = {inputTokens: 0, outputTokens: 0}
  private lastText = ''
  private readonly inputs = new Map<string, {name: string; input: unknown}>()
  private readonly denials: ResultMessage['permission_denials'] = []
  private changes: ChangeSet | undefined
  private applied: ApplyReport | undefined
  private network: NetworkSummary | undefined
  private ended: Extract<AgentEvent, {type: 'run_finished' | 'run_failed'}> | undefined
  /** Open partial blocks of the current turn: text at most once, tool calls by their delta index. */
  private textBlock: number | undefined
  private readonly toolBlocks = new Map<number, number>()
  private nextBlock = 0
  private readonly now: () => number

  constructor(private readonly options: TranslatorOptions = {}) {
    this.now = options.now ?? Date.now
    this.started = this.now()
    this.sessionId = options.sessionId ?? randomUUID()
  }

  /** The messages an event produces (often none). */
  translate(event: AgentEvent): StreamJsonMessage[] {
    const partial = this.options.includePartialMessages === true
    switch (event.type) {
      case 'session_started':
        this.sandboxId = event.sessionId
        this.model = event.model
        return [
          {
            type: 'system',
            subtype: 'init',
            ...this.envelope(),
            cwd: event.cwd,
            tools: event.tools,
            model: event.model,
            permission_mode: event.approvalMode as PermissionMode,
            permissionMode: CLAUDE_MODE_NAMES[event.approvalMode as PermissionMode],
            sandbox_session_id: event.sessionId,
            mcp_servers: [...(this.options.mcpServers?.() ?? [])],
            ...(this.options.agentVersion ? {agent_version: this.options.agentVersion} : {}),
            ...(this.options.notices?.length ? {notices: [...this.options.notices]} : {}),
          },
        ]
      case 'turn_started':
        this.turnStartedAt = this.now()
        this.turnUsage = {inputTokens: 0, outputTokens: 0}
        this.textBlock = undefined
        this.toolBlocks.clear()
        this.nextBlock = 0
        return partial
          ? [
              this.streamEvent({
                type: 'message_start',
                message: {id: `msg_${event.turn}`, role: 'assistant', model: this.model, content: []},
              }),
            ]
          : []
      case 'text_delta': {
        if (!partial) return []
        const out: StreamJsonMessage[] = []
        if (this.textBlock === undefined) {
          this.textBlock = this.nextBlock++
          out.push(
            this.streamEvent({
              type: 'content_block_start',
              index: this.textBlock,
              content_block: {type: 'text', text: ''},
            }),
          )
        }
        out.push(
          this.streamEvent({
            type: 'content_block_delta',
            index: this.textBlock,
            delta: {type: 'text_delta', text: event.text},
          }),
        )
        return out
      }
      case 'tool_call_delta': {
        if (!partial) return []
        const out: StreamJsonMessage[] = []
        let block = this.toolBlocks.get(event.index)
        if (block === undefined) {
          block = this.nextBlock++
          this.toolBlocks.set(event.index, block)
          out.push(
            this.streamEvent({
              type: 'content_block_start',
              index: block,
              content_block: {
                type: 'tool_use',
                id: event.id ?? `call_${event.index}`,
                name: event.name ?? '',
                input: {},
              },
            }),
          )
        }
        if (event.argumentsDelta) {
          out.push(
            this.streamEvent({
              type: 'content_block_delta',
              index: block,
              delta: {type: 'input_json_delta', partial_json: event.argumentsDelta},
            }),
          )
        }
        return out
      }
      case 'usage':
        this.turnUsage.inputTokens += event.usage.inputTokens
        this.turnUsage.outputTokens += event.usage.outputTokens
        return []
      case 'assistant_message': {
        if (this.turnStartedAt !== undefined) this.apiMs += this.now() - this.turnStartedAt
        this.turnStartedAt = undefined
        if (event.text) this.lastText = event.text
        const out: StreamJsonMessage[] = []
        if (partial) {
          const open = [...(this.textBlock !== undefined ? [this.textBlock] : []), ...this.toolBlocks.values()].sort(
            (a, b) => a - b,
          )
          for (const index of open) out.push(this.streamEvent({type: 'content_block_stop', index}))
          out.push(this.streamEvent({type: 'message_stop'}))
        }
        for (const call of event.toolCalls) this.inputs.set(call.id, {name: call.name, input: call.input})
        const content: AssistantMessage['message']['content'] = [
          ...(event.text ? [{type: 'text' as const, text: event.text}] : []),
          ...event.toolCalls.map((call) => ({
            type: 'tool_use' as const,
            id: call.id,
            name: call.name,
            input: call.input,
          })),
        ]
        out.push({
          type: 'assistant',
          ...this.envelope(),
          parent_tool_use_id: null,
          message: {
            id: `msg_${randomUUID()}`,
            type: 'message',
            role: 'assistant',
            model: this.model,
            content,
            stop_reason: event.toolCalls.length > 0 ? 'tool_use' : 'end_turn',
            usage: toUsage(this.turnUsage),
          },
        })
        return out
      }
      case 'tool_call_started':
        if (!this.inputs.has(event.id)) this.inputs.set(event.id, {name: event.name, input: event.input})
        return []
      case 'tool_output':
        return partial
          ? [
              this.streamEvent({
                type: 'tool_progress',
                tool_use_id: event.id,
                content: {stream: event.stream, text: event.chunk},
              }),
            ]
          : []
      case 'tool_call_finished': {
        const kind = event.result.error?.kind
        if (kind === 'refused' || kind === 'denied_by_user') {
          this.denials.push({
            tool_name: event.name,
            tool_use_id: event.id,
            tool_input: this.inputs.get(event.id)?.input ?? null,
          })
        }
        return [
          {
            type: 'user',
            ...this.envelope(),
            parent_tool_use_id: null,
            message: {
              role: 'user',
              content: [
                {
                  type: 'tool_result',
                  tool_use_id: event.id,
                  content: event.result.forModel,
                  // A command that exited non-zero is an error to the SDKs too (as Qwen Code reports it).
                  is_error: event.result.error !== undefined || (event.exec !== undefined && event.exec.exitCode !== 0),
                },
              ],
            },
          },
        ]
      }
      case 'model_retry':
        return [
          {
            type: 'system',
            subtype: 'model_retry',
            ...this.envelope(),
            data: {attempt: event.attempt, delay_ms: event.delayMs, reason: event.reason},
          },
        ]
      case 'history_compressed':
        return [
          {
            type: 'system',
            subtype: 'compact_boundary',
            ...this.envelope(),
            compact_metadata: {trigger: event.trigger, pre_tokens: event.tokensBefore},
            data: {
              trigger: event.trigger,
              pre_tokens: event.tokensBefore,
              post_tokens: event.tokensAfter,
              context_window: event.windowTokens,
            },
          },
        ]
      case 'history_not_compressed':
        return [
          {
            type: 'system',
            subtype: 'compression_failed',
            ...this.envelope(),
            data: {trigger: event.trigger, pre_tokens: event.tokensBefore, reason: event.reason},
          },
        ]
      case 'todos_updated':
        return [{type: 'system', subtype: 'todos', ...this.envelope(), data: {todos: event.todos}}]
      case 'network_summary':
        this.network = event.summary
        return []
      case 'changes_ready':
        this.changes = event.changes
        if (!this.sandboxId) this.sandboxId = event.changes.sessionId
        return []
      case 'changes_applied':
        this.applied = event.report
        return []
      case 'run_finished':
        this.ended = event
        return []
      case 'run_failed':
        // A failure after the loop ended (applying, Docker gone) is how the run ends, but the turns and tokens it
        // spent are the loop's: the command reports the failure without them.
        this.ended = this.ended ? {...event, turns: this.ended.turns, usage: this.ended.usage} : event
        return []
      case 'approval_needed':
        return []
    }
  }

  /** The final `result` message, from how the run ended plus the changes (call once, after the last event). */
  result(): ResultMessage {
    const end = this.ended
    const usage = end && 'usage' in end ? end.usage : {inputTokens: 0, outputTokens: 0}
    const turns = end && 'turns' in end ? end.turns : 0
    const base = {
      type: 'result' as const,
      ...this.envelope(),
      sandbox_session_id: this.sandboxId,
      duration_ms: Math.max(0, Math.round(this.now() - this.started)),
      duration_api_ms: Math.max(0, Math.round(this.apiMs)),
      num_turns: turns,
      result: this.lastText,
      usage: toUsage(usage),
      permission_denials: this.denials,
      changed_files: (this.changes?.changes ?? []).map((change) => ({path: change.path, kind: change.kind})),
      ...(this.applied ? {applied: appliedField(this.applied)} : {}),
      ...(this.network ? {network: toNetwork(this.network)} : {}),
    }
    if (end?.type === 'run_finished' && end.reason === 'completed')
      return {...base, subtype: 'success', is_error: false}
    if (end?.type === 'run_finished' && end.reason === 'max_turns') {
      return {
        ...base,
        subtype: 'error_max_turns',
        is_error: true,
        error: {type: 'max_turns', message: `Reached the limit of ${turns} turns`},
        errors: [`Reached the limit of ${turns} turns`],
      }
    }
    if (end?.type === 'run_finished') {
      return {
        ...base,
        subtype: 'error_during_execution',
        is_error: true,
        error: {type: 'canceled', message: 'The run was cancelled by the user'},
        errors: ['The run was cancelled by the user'],
      }
    }
    const message = end?.type === 'run_failed' ? end.message : 'The run ended without a result'
    return {
      ...base,
      subtype: 'error_during_execution',
      is_error: true,
      error: {type: end?.type === 'run_failed' && end.kind ? end.kind : 'error', message},
      errors: [message],
    }
  }

  private envelope(): {uuid: string; session_id: string} {
    return {uuid: randomUUID(), session_id: this.sessionId}
  }

  private streamEvent(event: StreamEvent): StreamJsonMessage {
    return {type: 'stream_event', ...this.envelope(), parent_tool_use_id: null, event}
  }
}

function toUsage(usage: TokenUsage): StreamJsonUsage {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  }
}

/** The result's `applied` field: what was written, refused, and held back for the second confirmation. */
function appliedField(report: ApplyReport): NonNullable<ResultMessage['applied']> {
  return {
    files: report.applied,
    refused: report.refused,
    ...(report.heldBack && report.heldBack.length > 0 ? {held_back: report.heldBack} : {}),
  }
}

/** The result message's `network`: per host, snake_case like the rest of the message. */
function toNetwork(summary: NetworkSummary): NonNullable<ResultMessage['network']> {
  return {
    hosts: Object.fromEntries(
      Object.entries(summary.hosts).map(([host, t]) => [
        host,
        {allowed: t.allowed, refused: t.refused, bytes_up: t.bytesUp, bytes_down: t.bytesDown},
      ]),
    ),
    ...(summary.proxyDown ? {proxy_down: summary.proxyDown} : {}),
  }
}
