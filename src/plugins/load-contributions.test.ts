// The loader: valid contributions register in load order; a throwing or invalid plugin is reported once and skipped.
import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {defineAuthProvider} from '../plugin-kit/define-auth-provider.js'
import {defineTool} from '../plugin-kit/define-tool.js'
import type {AuthProvider} from '../plugin-kit/auth-provider.js'
import type {ToolDefinition} from '../tools/types.js'
import {loadPluginContributions, type HookRunner} from './load-contributions.js'

const tool = (name: string): ToolDefinition<unknown> =>
  defineTool({
    name,
    description: `the ${name} tool`,
    parameters: z.object({path: z.string()}),
    kind: 'read',
    actsOn: 'sandbox',
    execute: async () => ({forModel: 'ok', forUser: 'ok'}),
  }) as ToolDefinition<unknown>

const provider = (id: string): AuthProvider =>
  defineAuthProvider({
    id,
    describe: () => id,
    isConfigured: () => true,
    client: async () => ({model: 'm', stream: async function* () {}}),
  })

type HookReply = {result: unknown} | {error: Error}

/** A runHook double: per hook, per plugin, what it returns or throws. */
function fakeConfig(
  hooks: Record<string, Record<string, HookReply>>,
  order: string[] = [],
): HookRunner & {calls: string[]} {
  const calls: string[] = []
  return {
    calls,
    plugins: new Map(order.map((name) => [name, {}])),
    async runHook(event) {
      calls.push(event)
      const replies = Object.entries(hooks[event] ?? {})
      return {
        successes: replies.flatMap(([name, reply]) =>
          'result' in reply ? [{plugin: {name}, result: reply.result}] : [],
        ),
        failures: replies.flatMap(([name, reply]) => ('error' in reply ? [{plugin: {name}, error: reply.error}] : [])),
      }
    },
  }
}

class Registry<T extends {name?: string; id?: string}> {
  readonly items = new Map<string, {item: T; source: string}>()
  register(item: T, source: string): void {
    const key = item.name ?? item.id ?? ''
    const existing = this.items.get(key)
    if (existing) throw new Error(`${key} is defined by both ${existing.source} and ${source}`)
    this.items.set(key, {item, source})
  }
}

describe('loadPluginContributions', () => {
  it('registers every valid tool with the plugin it came from, in plugin load order', async () => {
    const config = fakeConfig(
      {'agent:tools': {'@b/tools': {result: [tool('b_tool')]}, '@a/tools': {result: [tool('a_one'), tool('a_two')]}}},
      ['sandboxed-agent', '@a/tools', '@b/tools'],
    )
    const registry = new Registry<ToolDefinition<unknown>>()
    const summary = await loadPluginContributions(config, registry)
    expect([...registry.items.keys()]).toEqual(['a_one', 'a_two', 'b_tool'])
    expect(registry.items.get('b_tool')?.source).toBe('@b/tools')
    expect(summary.skipped).toEqual([])
    expect(config.calls).toEqual(['agent:tools'])
  })

  it('reports a plugin whose hook throws in one line and keeps the others', async () => {
    const lines: string[] = []
    const config = fakeConfig({
      'agent:tools': {'@bad/throws': {error: new Error('boom\nstack line')}, '@good/tools': {result: [tool('fine')]}},
    })
    const registry = new Registry<ToolDefinition<unknown>>()
    await loadPluginContributions(config, registry, {report: (line) => lines.push(line)})
    expect([...registry.items.keys()]).toEqual(['fine'])
    expect(lines).toEqual(['Plugin @bad/throws skipped: its agent:tools hook failed: boom'])
  })

  it.each([
    ['not an array', {tools: 'nope'}, 'returned an object instead of an array of tools'],
    ['a bad name', [{...tool('x'), name: 'has space'}], 'invalid tool "has space" at index 1 (name: name must be'],
    ['a non-object schema', [{...tool('x'), parameters: z.string()}], 'parameters must be a zod object schema'],
    ['no execute', [{...tool('x'), execute: undefined}], 'execute must be a function'],
    ['an unknown kind', [{...tool('x'), kind: 'teleport'}], 'kind:'],
  ])('skips a plugin that returns %s, registering none of its tools', async (_label, result, expected) => {
    const lines: string[] = []
    const config = fakeConfig({
      'agent:tools': {'@odd/plugin': {result: Array.isArray(result) ? [tool('first'), ...result] : result}},
    })
    const registry = new Registry<ToolDefinition<unknown>>()
    const summary = await loadPluginContributions(config, registry, {report: (line) => lines.push(line)})
    expect(registry.items.size).toBe(0)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('Plugin @odd/plugin skipped: its agent:tools hook')
    expect(lines[0]).toContain(expected)
    expect(summary.skipped[0]?.plugin).toBe('@odd/plugin')
  })

  it('lets a name clash fail loudly, naming both plugins', async () => {
    const config = fakeConfig({'agent:tools': {'@a/x': {result: [tool('same')]}, '@b/y': {result: [tool('same')]}}}, [
      '@a/x',
      '@b/y',
    ])
    await expect(loadPluginContributions(config, new Registry())).rejects.toThrow(
      'same is defined by both @a/x and @b/y',
    )
  })

  it('runs agent:auth only when given an auth registry, and validates providers', async () => {
    const lines: string[] = []
    const config = fakeConfig({
      'agent:auth': {'@a/auth': {result: [provider('qwen-oauth')]}, '@b/auth': {result: [{id: 'Bad Id'}]}},
    })
    const auth = new Registry<AuthProvider>()
    const summary = await loadPluginContributions(config, undefined, {
      auth,
      report: (line) => lines.push(line),
      home: '/tmp/h',
    })
    expect(config.calls).toEqual(['agent:auth'])
    expect([...auth.items.keys()]).toEqual(['qwen-oauth'])
    expect(summary.providers).toEqual([{id: 'qwen-oauth', plugin: '@a/auth'}])
    expect(lines).toEqual([
      expect.stringContaining('Plugin @b/auth skipped: its agent:auth hook returned an invalid auth provider'),
    ])
  })
})
