// `agent tools`: every tool a run could use, where it acts, which plugin it comes from, and whether settings disable it.
import os from 'node:os'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {coreTools} from '../cli/run-wiring.js'
import {loadConfig} from '../config/load-config.js'
import {loadToolRegistry} from '../plugins/plugin-registries.js'
import {entryToolName, type ToolFilterSettings} from '../tools/registry.js'
import type {ToolActsOn, ToolKind} from '../tools/types.js'

export interface ToolListing {
  name: string
  displayName?: string
  kind: ToolKind
  actsOn: ToolActsOn
  /** Package name of the plugin, or `core`. */
  plugin: string
  enabled: boolean
  /** Why settings disable it (tools.core / tools.exclude), when they do. */
  disabledBy?: string
  description: string
}

export default class Tools extends BaseCommand<typeof Tools> {
  static override summary = 'List the tools the agent can use'
  static override description = [
    'Lists every registered tool: built-in ones and those contributed by plugins (agent plugins install|link).',
    'For each: its kind, where it acts (sandbox: only inside the container; host: on your machine, after approval), the plugin it comes from, and whether tools.core / tools.exclude in settings.json disable it.',
  ].join('\n\n')

  static override examples = [
    {description: 'A table of tools', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The same as JSON', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    json: Flags.boolean({description: 'Print the tools as JSON on stdout.', default: false}),
  }

  async run(): Promise<void> {
    const config = loadConfig({cwd: process.cwd(), home: os.homedir(), env: process.env})
    const {registry} = await loadToolRegistry(this.config, config, coreTools(config))
    const settings = config.settings.tools as ToolFilterSettings
    const enabled = new Set(registry.enabled(settings).map(({definition}) => definition.name))
    const tools: ToolListing[] = registry.list().map(({definition, source}) => ({
      name: definition.name,
      ...(definition.displayName ? {displayName: definition.displayName} : {}),
      kind: definition.kind,
      actsOn: definition.actsOn,
      plugin: source,
      enabled: enabled.has(definition.name),
      ...(enabled.has(definition.name) ? {} : {disabledBy: disabledBy(definition.name, settings)}),
      description: definition.description.split('\n')[0]!,
    }))
    if (this.flags.json) {
      process.stdout.write(`${JSON.stringify({tools}, null, 2)}\n`)
      return
    }
    if (tools.length === 0) {
      process.stdout.write('No tools are registered.\n')
      return
    }
    const rows = [
      ['NAME', 'KIND', 'ACTS ON', 'PLUGIN', 'STATUS'],
      ...tools.map((tool) => [
        tool.name,
        tool.kind,
        tool.actsOn,
        tool.plugin,
        tool.enabled ? 'enabled' : `disabled (${tool.disabledBy})`,
      ]),
    ]
    process.stdout.write(formatTable(rows))
  }
}

function disabledBy(name: string, settings: ToolFilterSettings): string {
  const excluded = (settings.exclude ?? []).some((entry) => entryToolName(entry) === name && !entry.includes('('))
  return excluded ? 'tools.exclude' : 'not in tools.core'
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return (
    rows
      .map((row) =>
        row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
      )
      .join('\n') + '\n'
  )
}
