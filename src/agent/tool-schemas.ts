// Tool parameters as the model sees them: JSON schema from zod's own converter, and zod errors as text for the model.
import {z} from 'zod'

import type {ToolDefinition} from '../tools/types.js'
import type {ModelToolSchema} from './model-client.js'

/** The JSON schema of a tool's parameters, as sent to the model (input side: defaults do not make a field required). */
export function toolParametersSchema(parameters: z.ZodType): Record<string, unknown> {
  const schema = z.toJSONSchema(parameters, {io: 'input', unrepresentable: 'any'}) as Record<string, unknown>
  delete schema.$schema
  return stripSafeIntegerBounds(schema) as Record<string, unknown>
}

export function toModelToolSchema(definition: ToolDefinition<unknown>): ModelToolSchema {
  return {
    name: definition.name,
    description: definition.description,
    parameters: definition.inputJsonSchema ?? toolParametersSchema(definition.parameters),
  }
}

/** One line per problem, `path: message`, for a tool result the model can act on. */
export function describeSchemaIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `- ${issue.path.length > 0 ? issue.path.join('.') : '(arguments)'}: ${issue.message}`)
    .join('\n')
}

/** `z.number().int()` adds ±MAX_SAFE_INTEGER bounds that only add noise to what the model reads. */
function stripSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSafeIntegerBounds)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) {
    if (key === 'minimum' && child === Number.MIN_SAFE_INTEGER) continue
    if (key === 'maximum' && child === Number.MAX_SAFE_INTEGER) continue
    out[key] = stripSafeIntegerBounds(child)
  }
  return out
}
