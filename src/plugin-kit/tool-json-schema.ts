// The JSON schema a model sees for a tool's parameters: exactly what the agent sends (zod's own converter).
import {toolParametersSchema} from '../agent/tool-schemas.js'
import type {ToolDefinition} from '../tools/types.js'

/** What the model is shown for this tool's parameters; handy for snapshot-testing a plugin's schemas. */
export function toolParametersJsonSchema(
  tool: Pick<ToolDefinition, 'parameters' | 'inputJsonSchema'>,
): Record<string, unknown> {
  return tool.inputJsonSchema ?? toolParametersSchema(tool.parameters)
}
