// The tools a run may use: registered once each (a name clash names both sources), then filtered by settings.
import {AgentError} from '../errors.js'
import type {RegisteredTool, ToolDefinition} from './types.js'

export interface ToolFilterSettings {
  /** Allow-list: when set, only tools named here are enabled. Entries may carry arguments: `run_shell_command(git)`. */
  core?: string[]
  /** Block-list: a bare tool name disables the tool; an entry with arguments only restricts it. */
  exclude?: string[]
}

/** Older names Qwen Code settings may use for a tool. */
const TOOL_NAME_ALIASES: Readonly<Record<string, string>> = {ShellTool: 'run_shell_command'}

/** The tool name of a settings entry: `run_shell_command(git status)` -> `run_shell_command`; `ShellTool` too. */
export function entryToolName(entry: string): string {
  const open = entry.indexOf('(')
  const name = (open >= 0 ? entry.slice(0, open) : entry).trim()
  return TOOL_NAME_ALIASES[name] ?? name
}

function hasArguments(entry: string): boolean {
  return /\(.*\)\s*$/.test(entry.trim())
}

export class ToolRegistry {
  private readonly tools = new Map<string, RegisteredTool>()

  /** Adds a tool; throws when its name is taken, naming both sources so the user knows which plugin to remove. */
  register<P>(definition: ToolDefinition<P>, source = 'core'): void {
    const existing = this.tools.get(definition.name)
    if (existing) {
      throw new AgentError(
        `Tool "${definition.name}" from ${describeSource(source)} clashes with the tool of the same name from ${describeSource(existing.source)}`,
        {hint: 'Uninstall or disable one of the two plugins (agent plugins uninstall <name>)'},
      )
    }
    this.tools.set(definition.name, {definition: definition as ToolDefinition<unknown>, source})
  }

  get(name: string): RegisteredTool | undefined {
    return this.tools.get(name)
  }

  has(name: string): boolean {
    return this.tools.has(name)
  }

  /** Every registered tool, in registration order. */
  list(): RegisteredTool[] {
    return [...this.tools.values()]
  }

  /** The tools enabled by `tools.core` / `tools.exclude` (by tool name; command restrictions are the shell tool's job). */
  enabled(settings: ToolFilterSettings = {}): RegisteredTool[] {
    const core = settings.core ? new Set(settings.core.map(entryToolName)) : undefined
    const excluded = new Set((settings.exclude ?? []).filter((entry) => !hasArguments(entry)).map(entryToolName))
    return this.list().filter(({definition}) => (!core || core.has(definition.name)) && !excluded.has(definition.name))
  }
}

function describeSource(source: string): string {
  return source === 'core' ? 'the built-in tools' : `plugin ${source}`
}
