// save_memory, as in Qwen Code: remembers a fact across sessions by appending it to the user's global context file.
// That file is on the host, so the tool acts on the host and is asked about like any host tool.
import {z} from 'zod'

import {appendMemory} from '../../context/save-memory.js'
import type {ToolDefinition} from '../types.js'

export const SAVE_MEMORY_TOOL_NAME = 'save_memory'

const parameters = z.object({
  fact: z.string().trim().min(1).max(2000).describe('The fact to remember, one clear self-contained statement.'),
})

export type SaveMemoryParameters = z.infer<typeof parameters>

export function createSaveMemoryTool(options: {file: string}): ToolDefinition<SaveMemoryParameters> {
  return Object.freeze({
    name: SAVE_MEMORY_TOOL_NAME,
    displayName: 'Save Memory',
    description:
      `Saves a fact to the user's long-term memory (${options.file} on the host), read at the start of every future ` +
      'session. Use it only when the user asks you to remember something, or states a lasting preference.',
    parameters,
    kind: 'edit',
    actsOn: 'host',
    describe: (params: SaveMemoryParameters) => `remember: ${params.fact}`,
    async execute(params: SaveMemoryParameters) {
      try {
        const item = await appendMemory(options.file, params.fact)
        return {forModel: `Okay, I've remembered that: "${params.fact}"`, forUser: `saved to ${options.file}: ${item}`}
      } catch (error) {
        const message = `could not write ${options.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`
        return {
          forModel: `Failed to save the memory: ${message}`,
          forUser: message,
          error: {kind: 'execution_failed', message},
        }
      }
    },
  } satisfies ToolDefinition<SaveMemoryParameters>)
}
