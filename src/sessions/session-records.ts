// The lines of a saved conversation file (JSON lines, one record each, appended as the conversation goes).
import {z} from 'zod'

import type {ModelMessage} from '../agent/model-client.js'

export const SESSION_FILE_VERSION = 1

const toolCall = z.object({id: z.string(), name: z.string(), arguments: z.string()})
export const modelMessageSchema: z.ZodType<ModelMessage> = z.union([
  z.object({role: z.literal('system'), content: z.string()}),
  z.object({role: z.literal('user'), content: z.string()}),
  z.object({
    role: z.literal('assistant'),
    content: z.string().nullable(),
    toolCalls: z.array(toolCall).optional(),
  }),
  z.object({role: z.literal('tool'), toolCallId: z.string(), content: z.string()}),
]) as z.ZodType<ModelMessage>

/** First line: what the conversation is (never a secret: no keys, no environment). */
export const sessionHeaderSchema = z.object({
  type: z.literal('session'),
  version: z.number().int(),
  id: z.string(),
  createdAt: z.string(),
  projectRoot: z.string(),
  command: z.string(),
  model: z.string().optional(),
  approvalMode: z.string().optional(),
  network: z.string().optional(),
  /** The first prompt, for listings. */
  title: z.string(),
})

export const sessionRecordSchema = z.discriminatedUnion('type', [
  sessionHeaderSchema,
  z.object({type: z.literal('message'), at: z.string(), message: modelMessageSchema}),
  /** Replaces every message before it (after compression). */
  z.object({
    type: z.literal('history'),
    at: z.string(),
    messages: z.array(modelMessageSchema),
    tokensBefore: z.number().optional(),
    tokensAfter: z.number().optional(),
  }),
  z.object({type: z.literal('usage'), at: z.string(), inputTokens: z.number(), outputTokens: z.number()}),
  /** The sandbox session the conversation works in from here on. */
  z.object({type: z.literal('sandbox'), at: z.string(), sandboxSessionId: z.string()}),
  z.object({type: z.literal('end'), at: z.string(), reason: z.string()}),
  /** The model's plan (todo_write), whole, each time it changed. */
  z.object({
    type: z.literal('todos'),
    at: z.string(),
    todos: z.array(
      z.object({id: z.string(), content: z.string(), status: z.enum(['pending', 'in_progress', 'completed'])}),
    ),
  }),
])

export type SessionHeader = z.infer<typeof sessionHeaderSchema>
export type SessionRecord = z.infer<typeof sessionRecordSchema>
