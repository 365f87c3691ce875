// Gathers what plugins contribute (tools, auth providers) once per run through oclif hooks, validates and registers it.
import os from 'node:os'

import type {AuthProvider} from '../plugin-kit/auth-provider.js'
import {AUTH_HOOK, TOOLS_HOOK} from '../plugin-kit/hooks.js'
import {authProviderProblem} from '../plugin-kit/validate-auth-provider.js'
import {toolDefinitionProblem} from '../plugin-kit/validate-tool.js'
import type {ToolDefinition} from '../tools/types.js'
import {ensurePluginKitResolution, type LoadedPlugin} from './plugin-kit-resolution.js'

/** The part of oclif's Config this needs (a real Config fits; tests pass a literal). */
export interface HookRunner {
  runHook(
    event: string,
    options: Record<string, unknown>,
    timeout?: number,
    captureErrors?: boolean,
  ): Promise<{
    successes: {plugin: {name: string}; result: unknown}[]
    failures: {plugin: {name: string}; error: Error}[]
  }>
  /** Installed plugins in load order (core first); used to register in a stable order. */
  plugins?: Map<string, unknown>
}

/** Where tools go: D's ToolRegistry (register throws on a name clash, naming both sources). */
export interface ToolSink {
  register(definition: ToolDefinition<unknown>, source: string): void
}

/** Where auth providers go: the AuthRegistry (register throws on an id clash, naming both sources). */
export interface AuthSink {
  register(provider: AuthProvider, source: string): void
}

export interface LoadContributionsOptions {
  /** Receives auth providers; when absent the `agent:auth` hook is not run. */
  auth?: AuthSink
  /** Merged settings, passed to the hooks so plugins can read their own section. */
  settings?: Record<string, unknown>
  /** Home directory handed to auth plugins (tests point it at a temp dir). */
  home?: string
  /** One line per plugin that was skipped (stderr in the CLI). */
  report?: (line: string) => void
  /** How long one plugin's hook may take. */
  timeoutMs?: number
}

export interface SkippedPlugin {
  plugin: string
  hook: string
  reason: string
}

export interface ContributionsSummary {
  /** Tool names registered, with the plugin each came from. */
  tools: {name: string; plugin: string}[]
  providers: {id: string; plugin: string}[]
  skipped: SkippedPlugin[]
}

const DEFAULT_HOOK_TIMEOUT_MS = 10_000

/**
 * Runs `agent:tools` (and `agent:auth` when an auth sink is given) across all plugins in parallel, then registers the
 * results in plugin load order. A plugin whose hook throws, times out or returns anything invalid is reported in one
 * line and contributes nothing from that hook; the run goes on. Name clashes are not skipped: the registry's error
 * (naming both plugins) propagates, since guessing which tool the user meant would be worse.
 */
export async function loadPluginContributions(
  config: HookRunner,
  tools: ToolSink | undefined,
  options: LoadContributionsOptions = {},
): Promise<ContributionsSummary> {
  const settings = options.settings ?? {}
  const timeout = options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS
  const summary: ContributionsSummary = {tools: [], providers: [], skipped: []}
  const skip = (plugin: string, hook: string, reason: string): void => {
    summary.skipped.push({plugin, hook, reason})
    options.report?.(`Plugin ${plugin} skipped: its ${hook} hook ${reason}`)
  }

  // Before any plugin's hook module is imported: its `sandboxed-agent/plugin` import must find this CLI's kit.
  ensurePluginKitResolution(pluginsWithRoots(config))

  const [toolResults, authResults] = await Promise.all([
    tools ? config.runHook(TOOLS_HOOK, {settings}, timeout, true) : undefined,
    options.auth ? config.runHook(AUTH_HOOK, {settings, home: options.home ?? os.homedir()}, timeout, true) : undefined,
  ])

  if (tools && toolResults) {
    for (const {plugin, error} of toolResults.failures) skip(plugin.name, TOOLS_HOOK, failed(error))
    for (const {plugin, result} of inLoadOrder(config, toolResults.successes)) {
      const problem = listProblem(result, toolDefinitionProblem, 'tool')
      if (problem) {
        skip(plugin.name, TOOLS_HOOK, problem)
        continue
      }
      for (const definition of result as ToolDefinition<unknown>[]) {
        tools.register(definition, plugin.name)
        summary.tools.push({name: definition.name, plugin: plugin.name})
      }
    }
  }

  if (options.auth && authResults) {
    for (const {plugin, error} of authResults.failures) skip(plugin.name, AUTH_HOOK, failed(error))
    for (const {plugin, result} of inLoadOrder(config, authResults.successes)) {
      const problem = listProblem(result, authProviderProblem, 'auth provider')
      if (problem) {
        skip(plugin.name, AUTH_HOOK, problem)
        continue
      }
      for (const provider of result as AuthProvider[]) {
        options.auth.register(provider, plugin.name)
        summary.providers.push({id: provider.id, plugin: plugin.name})
      }
    }
  }
  return summary
}

function failed(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const line =
    message
      .split('\n')
      .find((part) => part.trim() !== '')
      ?.trim() ?? 'unknown error'
  return `failed: ${line}`
}

/** Why a hook's result is not a list of valid items, or undefined when it is. */
function listProblem(
  result: unknown,
  problemOf: (item: unknown) => string | undefined,
  what: string,
): string | undefined {
  if (!Array.isArray(result)) return `returned ${describeValue(result)} instead of an array of ${what}s`
  for (const [index, item] of result.entries()) {
    const problem = problemOf(item)
    if (problem) {
      const name = (item as {name?: unknown; id?: unknown} | null)?.name ?? (item as {id?: unknown} | null)?.id
      const label = typeof name === 'string' ? ` "${name}"` : ''
      return `returned an invalid ${what}${label} at index ${index} (${problem})`
    }
  }
  return undefined
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** runHook reports in completion order; registration follows plugin load order so results never depend on timing. */
/** The loaded plugins that have a folder (oclif's `Plugin`s do; the literals unit tests pass need not). */
function pluginsWithRoots(config: HookRunner): LoadedPlugin[] {
  return [...(config.plugins?.values() ?? [])].filter(
    (plugin): plugin is LoadedPlugin =>
      typeof (plugin as Partial<LoadedPlugin>).root === 'string' &&
      typeof (plugin as Partial<LoadedPlugin>).name === 'string',
  )
}

function inLoadOrder<T extends {plugin: {name: string}}>(config: HookRunner, items: T[]): T[] {
  const order = [...(config.plugins?.keys() ?? [])]
  const rank = (name: string): number => {
    const index = order.indexOf(name)
    return index === -1 ? order.length : index
  }
  return [...items].sort(
    (a, b) => rank(a.plugin.name) - rank(b.plugin.name) || a.plugin.name.localeCompare(b.plugin.name),
  )
}
