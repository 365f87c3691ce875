// The custom oclif hooks a plugin implements to contribute, typed through oclif's own hook map.
import type {Hook, Interfaces} from '@oclif/core'

import type {ToolSource} from '../tools/tool-source.js'
import type {ToolDefinition} from '../tools/types.js'
import type {AuthProvider} from './auth-provider.js'

/** Hook names, as written in a plugin's package.json `oclif.hooks`. */
export const TOOLS_HOOK = 'agent:tools'
export const AUTH_HOOK = 'agent:auth'
/** Sources whose tools are listed once the sandbox session exists (MCP servers). */
export const TOOL_SOURCES_HOOK = 'agent:tool-sources'

export type ToolsHookOptions = {
  /** Merged settings.json; a plugin may read its own section to configure its tools. */
  settings: Record<string, unknown>
}

export type AuthHookOptions = {
  settings: Record<string, unknown>
  /** The user's home directory (injectable so tests never touch the real one). */
  home: string
}

/** oclif's hook map with ours added: `config.runHook('agent:tools', ...)` is typed through it. */
export interface AgentHooks extends Interfaces.Hooks {
  'agent:tools': {options: ToolsHookOptions; return: ToolDefinition<unknown>[]}
  'agent:auth': {options: AuthHookOptions; return: AuthProvider[]}
  'agent:tool-sources': {options: ToolsHookOptions; return: ToolSource[]}
}

/** Type of a plugin's `agent:tools` hook: `const hook: ToolsHook = async () => [myTool]; export default hook`. */
export type ToolsHook = Hook<'agent:tools', AgentHooks>
/** Type of a plugin's `agent:auth` hook. */
export type AuthHook = Hook<'agent:auth', AgentHooks>
/** Type of a plugin's `agent:tool-sources` hook. */
export type ToolSourcesHook = Hook<'agent:tool-sources', AgentHooks>
