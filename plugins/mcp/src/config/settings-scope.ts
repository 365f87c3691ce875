// Which settings file `agent mcp add|remove` change (the project's by default, as `qwen mcp`), and the servers in it.
import {Flags} from '@oclif/core'
import {readSettingsFile} from 'sandboxed-agent/plugin'

export type SettingsScope = 'project' | 'user'

export const scopeFlag = (description: string) =>
  Flags.option({options: ['project', 'user'] as const, default: 'project' as const, char: 's', description})()

/** The `mcpServers` object of one settings file (empty when the file or the key is missing). */
export async function serversIn(file: string): Promise<Record<string, unknown>> {
  return ((await readSettingsFile(file)).mcpServers ?? {}) as Record<string, unknown>
}
