// The tool registry: clashes name both sources; tools.core / tools.exclude enable tools by name.
import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {AgentError} from '../errors.js'
import {entryToolName, ToolRegistry} from './registry.js'
import type {ToolDefinition} from './types.js'

const tool = (name: string): ToolDefinition<{x?: string}> => ({
  name,
  description: `${name} tool`,
  parameters: z.object({x: z.string().optional()}),
  kind: 'read',
  actsOn: 'sandbox',
  execute: async () => ({forModel: '', forUser: ''}),
})

function registry(): ToolRegistry {
  const r = new ToolRegistry()
  r.register(tool('run_shell_command'))
  r.register(tool('read_file'), 'sandbox-agent-plugin-files')
  r.register(tool('web_fetch'), 'sandbox-agent-plugin-web')
  return r
}

const names = (r: ToolRegistry, settings?: {core?: string[]; exclude?: string[]}) =>
  r.enabled(settings).map((t) => t.definition.name)

describe('ToolRegistry', () => {
  it('lists tools in registration order with their source', () => {
    expect(
      registry()
        .list()
        .map((t) => [t.definition.name, t.source]),
    ).toEqual([
      ['run_shell_command', 'core'],
      ['read_file', 'sandbox-agent-plugin-files'],
      ['web_fetch', 'sandbox-agent-plugin-web'],
    ])
  })

  it('refuses a name clash with an error naming both sources', () => {
    const r = registry()
    expect(() => r.register(tool('read_file'), 'other-plugin')).toThrow(AgentError)
    expect(() => r.register(tool('read_file'), 'other-plugin')).toThrow(
      'Tool "read_file" from plugin other-plugin clashes with the tool of the same name from plugin sandbox-agent-plugin-files',
    )
    expect(() => r.register(tool('run_shell_command'), 'p')).toThrow(/from plugin p clashes .* from the built-in tools/)
  })

  it('enables everything without settings', () => {
    expect(names(registry())).toEqual(['run_shell_command', 'read_file', 'web_fetch'])
  })

  it('with tools.core enables only the named tools; entries with arguments name their tool', () => {
    expect(names(registry(), {core: ['run_shell_command(git)', 'run_shell_command(npm)']})).toEqual([
      'run_shell_command',
    ])
    expect(names(registry(), {core: ['read_file', 'web_fetch']})).toEqual(['read_file', 'web_fetch'])
  })

  it('a bare name in tools.exclude disables the tool; an entry with arguments only restricts it', () => {
    expect(names(registry(), {exclude: ['web_fetch']})).toEqual(['run_shell_command', 'read_file'])
    expect(names(registry(), {exclude: ['run_shell_command(rm)']})).toEqual([
      'run_shell_command',
      'read_file',
      'web_fetch',
    ])
    expect(names(registry(), {exclude: ['run_shell_command']})).toEqual(['read_file', 'web_fetch'])
    expect(names(registry(), {core: ['run_shell_command', 'read_file'], exclude: ['read_file']})).toEqual([
      'run_shell_command',
    ])
  })

  it('reads the tool name of an entry', () => {
    expect(entryToolName('run_shell_command(git status)')).toBe('run_shell_command')
    expect(entryToolName(' read_file ')).toBe('read_file')
    expect(entryToolName('ShellTool(git)')).toBe('run_shell_command')
  })
})
