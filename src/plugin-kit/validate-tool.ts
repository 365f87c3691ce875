// Structural checks of a contributed tool, shared by defineTool (early, in the plugin) and the host's loader (again).
import {z} from 'zod'

import {toolParametersSchema} from '../agent/tool-schemas.js'
import type {ToolDefinition} from '../tools/types.js'

/** Function names the OpenAI-compatible APIs accept. */
export const TOOL_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/

const toolKinds = ['read', 'edit', 'delete', 'move', 'search', 'execute', 'fetch', 'think', 'mcp', 'other'] as const

const isFunction = (value: unknown): boolean => typeof value === 'function'

/**
 * A zod 4 object schema, recognised by shape rather than instanceof: a plugin installed on its own may bring its own
 * copy of zod.
 */
const zodObjectSchema = z.custom<z.ZodType>(
  (value) => {
    if (typeof value !== 'object' || value === null) return false
    const internals = (value as {_zod?: {def?: {type?: unknown}}})._zod
    return isFunction((value as {safeParse?: unknown}).safeParse) && internals?.def?.type === 'object'
  },
  {message: 'parameters must be a zod object schema (z.object({...}))'},
)

export const toolDefinitionSchema = z.object({
  name: z
    .string()
    .regex(TOOL_NAME_PATTERN, 'name must be letters, digits, _ or - (at most 64, not starting with a digit)'),
  displayName: z.string().min(1).optional(),
  description: z.string().trim().min(1, 'description is empty'),
  parameters: zodObjectSchema,
  inputJsonSchema: z.record(z.string(), z.unknown()).optional(),
  kind: z.enum(toolKinds),
  actsOn: z.enum(['sandbox', 'host']),
  trusted: z.boolean().optional(),
  describe: z.custom<(params: unknown) => string>(isFunction, 'describe must be a function').optional(),
  execute: z.custom<ToolDefinition['execute']>(isFunction, 'execute must be a function'),
})

/** The first thing wrong with a would-be tool, as one short phrase, or undefined when it is a valid tool. */
export function toolDefinitionProblem(value: unknown): string | undefined {
  const parsed = toolDefinitionSchema.safeParse(value)
  if (!parsed.success) return describeIssue(parsed.error.issues[0])
  try {
    toolParametersSchema((value as ToolDefinition).parameters)
  } catch (error) {
    return `parameters cannot be shown to the model as JSON schema (${(error as Error).message})`
  }
  return undefined
}

export function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid'
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  return `${where}${issue.message}`
}
