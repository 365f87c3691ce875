// defineTool: a tool as static data (name, kind, schema) plus an execute typed from its zod parameters.
import type {z} from 'zod'

import type {ToolActsOn, ToolContext, ToolDefinition, ToolKind, ToolResult} from '../tools/types.js'
import {toolDefinitionProblem} from './validate-tool.js'

/** What a plugin writes; `execute` receives parameters already validated against `parameters`. */
export interface ToolSpec<S extends z.ZodType> {
  /** The name the model calls: letters, digits, `_` and `-`, at most 64 (e.g. `read_file`). */
  name: string
  /** Human title shown in listings (e.g. `ReadFile`). */
  displayName?: string
  /** What the model reads to decide when to call the tool. */
  description: string
  /** A zod object schema; shown to the model as JSON schema through zod's own converter. */
  parameters: S
  /** Shown to the model as given instead of the schema made from `parameters` (which still validates the call). */
  inputJsonSchema?: Record<string, unknown>
  kind: ToolKind
  /** `sandbox`: acts only through the session handle. `host`: acts on the user's machine and needs approval. */
  actsOn: ToolActsOn
  /** Never asked about (the user trusted where the tool comes from). */
  trusted?: boolean
  /** One line describing this call for people (e.g. the path it reads). */
  describe?(params: z.output<S>): string
  execute(params: z.output<S>, context: ToolContext): Promise<ToolResult>
}

/**
 * Checks a tool's static data at once (a bad name or a non-object schema fails where the plugin defines it, not in
 * the middle of a run) and returns it as the ToolDefinition the host registers.
 */
export function defineTool<S extends z.ZodType>(spec: ToolSpec<S>): ToolDefinition<z.output<S>> {
  const problem = toolDefinitionProblem(spec)
  if (problem) throw new TypeError(`defineTool(${JSON.stringify(spec?.name)}): ${problem}`)
  // S is a zod schema whose output is z.output<S>: the same type, which TypeScript cannot see through the generic.
  return Object.freeze({...spec}) as unknown as ToolDefinition<z.output<S>>
}
