// Everything a user sees, in every output format, is a rendering of this one event stream.
import type {ApplyReport, ChangeSet, ExecResult, NetworkSummary} from '../sandbox/types.js'
import type {TodoItem, ToolActsOn, ToolKind, ToolResult} from '../tools/types.js'
import type {TokenUsage} from './model-client.js'

export type AgentEvent =
  | {type: 'session_started'; sessionId: string; model: string; cwd: string; tools: string[]; approvalMode: string}
  | {type: 'turn_started'; turn: number}
  | {type: 'text_delta'; text: string}
  /** A piece of a tool call as the model streams it (for partial-message output); the call itself follows. */
  | {type: 'tool_call_delta'; index: number; id?: string; name?: string; argumentsDelta?: string}
  | {type: 'assistant_message'; text: string; toolCalls: {id: string; name: string; input: unknown}[]}
  | {
      type: 'tool_call_started'
      id: string
      name: string
      kind: ToolKind
      actsOn: ToolActsOn
      description: string
      input: unknown
    }
  | {type: 'tool_output'; id: string; stream: 'stdout' | 'stderr'; chunk: string}
  | {type: 'tool_call_finished'; id: string; name: string; result: ToolResult; exec?: ExecResult; durationMs: number}
  | {type: 'approval_needed'; id: string; name: string; description: string}
  | {type: 'model_retry'; attempt: number; delayMs: number; reason: string}
  /** The older history was replaced by a summary (automatically near the context window, or /compress). */
  | {
      type: 'history_compressed'
      trigger: 'auto' | 'manual'
      tokensBefore: number
      tokensAfter: number
      windowTokens: number
    }
  /** Compression was tried and did not happen: the conversation goes on with its whole history. */
  | {type: 'history_not_compressed'; trigger: 'auto' | 'manual'; tokensBefore: number; reason: string}
  /** The plan the model keeps with todo_write, whole, each time it changes. */
  | {type: 'todos_updated'; todos: TodoItem[]}
  /** Tokens of one model turn (run_finished carries the total). */
  | {type: 'usage'; usage: TokenUsage}
  | {type: 'changes_ready'; changes: ChangeSet}
  /** Requests per host through the sandbox's network proxy (sessions with an allow list), before changes_ready. */
  | {type: 'network_summary'; summary: NetworkSummary}
  | {type: 'changes_applied'; report: ApplyReport}
  | {
      type: 'run_finished'
      reason: 'completed' | 'max_turns' | 'canceled'
      turns: number
      usage: TokenUsage
      durationMs: number
    }
  | {
      type: 'run_failed'
      message: string
      /** Why, when the loop itself stopped the run: a loop detected, or model.sessionTokenLimit passed. */
      kind?: 'loop_detected' | 'session_token_limit'
      turns: number
      usage: TokenUsage
      durationMs: number
    }
