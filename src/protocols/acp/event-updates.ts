// AgentEvents as ACP session/update payloads: message chunks, tool calls with live output, their results, plans.
import type {SessionUpdate, ToolKind as AcpToolKind} from '@agentclientprotocol/sdk'

import type {AgentEvent} from '../../agent/events.js'
import type {ToolKind} from '../../tools/types.js'

/** Live output kept per tool call for the client (the tail, like a terminal). */
const MAX_LIVE_OUTPUT = 64 * 1024

/** Qwen Code's todo tool: its list is the session's plan. */
const PLAN_TOOLS = new Set(['todo_write', 'TodoWrite'])

export class EventUpdates {
  private readonly output = new Map<string, string>()
  private readonly inputs = new Map<string, {name: string; input: unknown}>()

  /** The updates an event produces (often none). */
  translate(event: AgentEvent): SessionUpdate[] {
    switch (event.type) {
      case 'text_delta':
        return [{sessionUpdate: 'agent_message_chunk', content: {type: 'text', text: event.text}}]
      case 'tool_call_started': {
        this.inputs.set(event.id, {name: event.name, input: event.input})
        return [
          {
            sessionUpdate: 'tool_call',
            toolCallId: event.id,
            title: event.description,
            kind: acpKind(event.kind),
            status: 'pending',
            rawInput: event.input,
          },
        ]
      }
      case 'tool_output': {
        const text = `${this.output.get(event.id) ?? ''}${event.chunk}`.slice(-MAX_LIVE_OUTPUT)
        this.output.set(event.id, text)
        return [
          {
            sessionUpdate: 'tool_call_update',
            toolCallId: event.id,
            status: 'in_progress',
            content: [{type: 'content', content: {type: 'text', text}}],
          },
        ]
      }
      case 'tool_call_finished': {
        this.output.delete(event.id)
        const started = this.inputs.get(event.id)
        this.inputs.delete(event.id)
        const failed = event.result.error !== undefined || (event.exec !== undefined && event.exec.exitCode !== 0)
        // A todo list the tool accepted is the session's plan.
        const plan = !failed && started ? planFrom(started.name, started.input) : undefined
        return [
          {
            sessionUpdate: 'tool_call_update',
            toolCallId: event.id,
            status: failed ? 'failed' : 'completed',
            content: [{type: 'content', content: {type: 'text', text: event.result.forModel}}],
            rawOutput: {summary: event.result.forUser, ...(event.result.error ? {error: event.result.error} : {})},
          },
          ...(plan ? [plan] : []),
        ]
      }
      default:
        return []
    }
  }
}

function acpKind(kind: ToolKind): AcpToolKind {
  return kind === 'mcp' ? 'other' : kind
}

/** A todo list written by the model, as an ACP plan (entries with status and priority). */
function planFrom(name: string, input: unknown): SessionUpdate | undefined {
  if (!PLAN_TOOLS.has(name)) return undefined
  const todos = (input as {todos?: unknown} | null)?.todos
  if (!Array.isArray(todos)) return undefined
  const entries = todos.flatMap((todo: unknown) => {
    const item = todo as {content?: unknown; description?: unknown; status?: unknown; priority?: unknown}
    const content =
      typeof item.content === 'string'
        ? item.content
        : typeof item.description === 'string'
          ? item.description
          : undefined
    if (content === undefined) return []
    const status = item.status === 'in_progress' || item.status === 'completed' ? item.status : 'pending'
    const priority = item.priority === 'high' || item.priority === 'low' ? item.priority : 'medium'
    return [{content, status, priority} as const]
  })
  return {sessionUpdate: 'plan', entries}
}
