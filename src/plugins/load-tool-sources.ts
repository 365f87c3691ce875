// Gathers the tool sources plugins contribute through `agent:tool-sources` (opened later, once the session exists).
import {TOOL_SOURCES_HOOK} from '../plugin-kit/hooks.js'
import type {ToolSource} from '../tools/tool-source.js'
import type {HookRunner} from './load-contributions.js'

/** A source and the plugin it came from. */
export interface RegisteredToolSource {
  source: ToolSource
  plugin: string
}

const DEFAULT_HOOK_TIMEOUT_MS = 10_000

/**
 * Runs the hook across plugins; a plugin whose hook fails or returns something that is not a list of sources is
 * reported in one line and contributes nothing, the others load. Results are in plugin load order.
 */
export async function loadToolSources(
  hooks: HookRunner,
  settings: Record<string, unknown>,
  report: (line: string) => void,
  timeoutMs = DEFAULT_HOOK_TIMEOUT_MS,
): Promise<RegisteredToolSource[]> {
  const {successes, failures} = await hooks.runHook(TOOL_SOURCES_HOOK, {settings}, timeoutMs, true)
  for (const {plugin, error} of failures)
    report(`Plugin ${plugin.name} skipped: its ${TOOL_SOURCES_HOOK} hook failed: ${firstLine(error.message)}`)
  const order = [...(hooks.plugins?.keys() ?? [])]
  const rank = (name: string): number => (order.includes(name) ? order.indexOf(name) : order.length)
  const sources: RegisteredToolSource[] = []
  for (const {plugin, result} of [...successes].sort((a, b) => rank(a.plugin.name) - rank(b.plugin.name))) {
    // A plugin without the hook answers nothing: oclif still lists it as a success.
    if (result === undefined) continue
    if (!Array.isArray(result) || !result.every(isToolSource)) {
      report(`Plugin ${plugin.name} skipped: its ${TOOL_SOURCES_HOOK} hook did not return a list of tool sources`)
      continue
    }
    for (const source of result) sources.push({source, plugin: plugin.name})
  }
  return sources
}

function isToolSource(value: unknown): value is ToolSource {
  const candidate = value as Partial<ToolSource> | null
  return typeof candidate?.name === 'string' && typeof candidate.open === 'function'
}

function firstLine(message: string): string {
  return (
    message
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? 'unknown error'
  )
}
