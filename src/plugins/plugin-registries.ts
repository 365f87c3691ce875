// Registries filled from plugins, for commands that list or use what plugins contribute (tools, auth providers).
import {createAuthRegistry} from '../auth/create-auth-registry.js'
import type {AuthRegistry} from '../auth/auth-registry.js'
import type {AgentConfig} from '../config/load-config.js'
import {ToolRegistry} from '../tools/registry.js'
import type {ToolDefinition} from '../tools/types.js'
import {loadPluginContributions, type ContributionsSummary, type HookRunner} from './load-contributions.js'

/** Writes a skipped plugin's one line to stderr (stdout belongs to the command's output). */
export const reportToStderr = (line: string): void => {
  process.stderr.write(`Warning: ${line}\n`)
}

/** The built-in tools first (source `core`), then every plugin's, in plugin load order. */
export async function loadToolRegistry(
  hooks: HookRunner,
  config: Pick<AgentConfig, 'settings'>,
  core: readonly ToolDefinition<unknown>[] = [],
  report: (line: string) => void = reportToStderr,
): Promise<{registry: ToolRegistry; summary: ContributionsSummary}> {
  const registry = new ToolRegistry()
  for (const tool of core) registry.register(tool, 'core')
  const summary = await loadPluginContributions(hooks, registry, {settings: config.settings, report})
  return {registry, summary}
}

/** The built-in provider first, then every plugin's, in plugin load order. */
export async function loadAuthRegistry(
  hooks: HookRunner,
  config: Pick<AgentConfig, 'settings' | 'home'>,
  report: (line: string) => void = reportToStderr,
): Promise<AuthRegistry> {
  const registry = createAuthRegistry()
  await loadPluginContributions(hooks, undefined, {
    auth: registry,
    settings: config.settings,
    home: config.home,
    report,
  })
  return registry
}
