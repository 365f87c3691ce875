// The stream-json / json output protocol, defined once with zod: the Claude-Code-SDK-compatible shapes Qwen Code emits.
import {z} from 'zod'

export const usageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative().optional(),
})

export const textBlockSchema = z.object({type: z.literal('text'), text: z.string()})
export const toolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  /** The parsed arguments, or the raw text when the model sent invalid JSON. */
  input: z.unknown(),
})
export const toolResultBlockSchema = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  /** What the model was told. */
  content: z.string(),
  is_error: z.boolean(),
})

const envelope = {
  uuid: z.string(),
  /** The conversation id, a UUID (`--session-id` when given). The sandbox's own id is `sandbox_session_id`. */
  session_id: z.string(),
}

/** The sandbox session id: what `agent diff|apply|discard <session-id>` take ('' before a sandbox started). */
const sandboxSessionId = z.string()

/** First message: what this run works with. */
export const systemInitMessageSchema = z.object({
  type: z.literal('system'),
  subtype: z.literal('init'),
  ...envelope,
  cwd: z.string(),
  tools: z.array(z.string()),
  model: z.string(),
  permission_mode: z.enum(['default', 'auto-edit', 'yolo']),
  /** The same mode by the Claude Agent SDK's names, the field its callers read. */
  permissionMode: z.enum(['default', 'acceptEdits', 'bypassPermissions']),
  sandbox_session_id: sandboxSessionId,
  /** Every configured MCP server and its status (`connected`, `failed` or `disabled`), as Claude Code and Qwen Code list them. */
  mcp_servers: z.array(z.object({name: z.string(), status: z.string()})),
  agent_version: z.string().optional(),
  /** Flags or settings given that this run could not honour, each said once (also on stderr). */
  notices: z.array(z.string()).optional(),
})

/** Other system notices; `data` carries the details (e.g. subtype `model_retry`). */
export const systemNoticeMessageSchema = z.object({
  type: z.literal('system'),
  /**
   * `error`: a line on stdin this process could not use (the session goes on); `session_end`: what became of the
   * changes; `compact_boundary`: the older history was replaced by a summary (`compression_failed`: it was not);
   * `todos`: the model's plan (todo_write), whole.
   */
  subtype: z.enum(['model_retry', 'error', 'session_end', 'compact_boundary', 'compression_failed', 'todos']),
  ...envelope,
  data: z.record(z.string(), z.unknown()),
  /** With `compact_boundary`, as the Qwen Code SDK reads it. */
  compact_metadata: z.object({trigger: z.enum(['manual', 'auto']), pre_tokens: z.number()}).optional(),
})

export const assistantMessageSchema = z.object({
  type: z.literal('assistant'),
  ...envelope,
  parent_tool_use_id: z.null(),
  message: z.object({
    id: z.string(),
    type: z.literal('message'),
    role: z.literal('assistant'),
    model: z.string(),
    content: z.array(z.discriminatedUnion('type', [textBlockSchema, toolUseBlockSchema])),
    stop_reason: z.enum(['end_turn', 'tool_use']).nullable(),
    usage: usageSchema,
  }),
})

export const userMessageSchema = z.object({
  type: z.literal('user'),
  ...envelope,
  parent_tool_use_id: z.null(),
  message: z.object({role: z.literal('user'), content: z.array(toolResultBlockSchema)}),
})

/** Partial-message events (only with --include-partial-messages), in the Anthropic streaming shapes. */
export const streamEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message_start'),
    message: z.object({id: z.string(), role: z.literal('assistant'), model: z.string(), content: z.tuple([])}),
  }),
  z.object({
    type: z.literal('content_block_start'),
    index: z.number().int().nonnegative(),
    content_block: z.discriminatedUnion('type', [textBlockSchema, toolUseBlockSchema]),
  }),
  z.object({
    type: z.literal('content_block_delta'),
    index: z.number().int().nonnegative(),
    delta: z.discriminatedUnion('type', [
      z.object({type: z.literal('text_delta'), text: z.string()}),
      z.object({type: z.literal('input_json_delta'), partial_json: z.string()}),
    ]),
  }),
  z.object({type: z.literal('content_block_stop'), index: z.number().int().nonnegative()}),
  z.object({type: z.literal('message_stop')}),
  /** Live output of a running tool call. */
  z.object({
    type: z.literal('tool_progress'),
    tool_use_id: z.string(),
    content: z.object({stream: z.enum(['stdout', 'stderr']), text: z.string()}),
  }),
])

export const partialAssistantMessageSchema = z.object({
  type: z.literal('stream_event'),
  ...envelope,
  parent_tool_use_id: z.null(),
  event: streamEventSchema,
})

export const changedFileSchema = z.object({
  path: z.string(),
  kind: z.enum(['added', 'modified', 'deleted']),
})

/** Last message. `success` only when the model finished on its own; max turns, cancel and failures are errors. */
export const resultMessageSchema = z.object({
  type: z.literal('result'),
  subtype: z.enum(['success', 'error_max_turns', 'error_during_execution']),
  ...envelope,
  sandbox_session_id: sandboxSessionId,
  is_error: z.boolean(),
  duration_ms: z.number().int().nonnegative(),
  /** Time spent waiting for the model. */
  duration_api_ms: z.number().int().nonnegative(),
  num_turns: z.number().int().nonnegative(),
  /** The model's final answer (its last text). */
  result: z.string(),
  usage: usageSchema,
  /** Tool calls refused by the approval rules or denied by the user. */
  permission_denials: z.array(z.object({tool_name: z.string(), tool_use_id: z.string(), tool_input: z.unknown()})),
  /** What the run changed in the sandbox copy of the project. */
  changed_files: z.array(changedFileSchema),
  /** Present when the changes were applied to the host (--apply). */
  applied: z
    .object({
      files: z.array(z.string()),
      refused: z.array(z.object({path: z.string(), reason: z.string()})),
      /** Sensitive changes left in the sandbox for want of --apply-sensitive (the session is kept). */
      held_back: z.array(z.object({path: z.string(), reason: z.string()})).optional(),
    })
    .optional(),
  /** Requests per host through the sandbox's network proxy (with a `sandbox.network` allow list). */
  network: z
    .object({
      hosts: z.record(
        z.string(),
        z.object({
          allowed: z.number().int().nonnegative(),
          refused: z.number().int().nonnegative(),
          bytes_up: z.number().int().nonnegative(),
          bytes_down: z.number().int().nonnegative(),
        }),
      ),
      proxy_down: z.string().optional(),
    })
    .optional(),
  error: z.object({type: z.string(), message: z.string()}).optional(),
  /** The same message in the Claude Agent SDK's shape (error results only). */
  errors: z.array(z.string()).optional(),
})

export const streamJsonMessageSchema = z.union([
  systemInitMessageSchema,
  systemNoticeMessageSchema,
  assistantMessageSchema,
  userMessageSchema,
  partialAssistantMessageSchema,
  resultMessageSchema,
])

export type StreamJsonUsage = z.infer<typeof usageSchema>
export type SystemInitMessage = z.infer<typeof systemInitMessageSchema>
export type SystemNoticeMessage = z.infer<typeof systemNoticeMessageSchema>
export type AssistantMessage = z.infer<typeof assistantMessageSchema>
export type UserMessage = z.infer<typeof userMessageSchema>
export type StreamEvent = z.infer<typeof streamEventSchema>
export type PartialAssistantMessage = z.infer<typeof partialAssistantMessageSchema>
export type ResultMessage = z.infer<typeof resultMessageSchema>
export type StreamJsonMessage = z.infer<typeof streamJsonMessageSchema>
