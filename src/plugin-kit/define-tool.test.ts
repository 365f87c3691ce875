// defineTool checks static data where the plugin defines it; the JSON schema comes from zod's own converter.
import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {defineTool} from './define-tool.js'
import {toolParametersJsonSchema} from './tool-json-schema.js'
import {resolveWorkspacePath} from './workspace-path.js'

const spec = {
  name: 'word_count',
  description: 'Counts words',
  parameters: z.object({path: z.string().describe('file'), max: z.number().int().optional()}),
  kind: 'read' as const,
  actsOn: 'sandbox' as const,
  execute: async ({path}: {path: string}) => ({forModel: path, forUser: path}),
}

describe('defineTool', () => {
  it('returns the tool with typed parameters and a JSON schema', () => {
    const tool = defineTool(spec)
    expect(tool.name).toBe('word_count')
    expect(toolParametersJsonSchema(tool)).toEqual({
      type: 'object',
      properties: {
        path: {type: 'string', description: 'file'},
        max: {type: 'integer'},
      },
      required: ['path'],
    })
  })

  it('refuses a bad name or a non-object schema at definition time', () => {
    expect(() => defineTool({...spec, name: '1bad name'})).toThrow('defineTool("1bad name"): name: name must be')
    expect(() => defineTool({...spec, parameters: z.string()} as never)).toThrow(
      'parameters must be a zod object schema',
    )
  })
})

describe('resolveWorkspacePath', () => {
  it.each([
    ['/workspace/a/b.txt', '/workspace/a/b.txt'],
    ['a/./b.txt', '/workspace/a/b.txt'],
    ['/workspace', '/workspace'],
    ['.', '/workspace'],
  ])('keeps %s inside as %s', (input, expected) => expect(resolveWorkspacePath(input)).toBe(expected))

  it.each(['/etc/passwd', '../x', '/workspace/../etc', '/workspacex/a', ''])('refuses %j', (input) => {
    expect(() => resolveWorkspacePath(input)).toThrow()
  })
})
