// Slash command parsing, aliases, "did you mean" by edit distance, and completion.
import {describe, expect, it} from 'vitest'

import {completeCommand, editDistance, nearestCommand, parseSlash} from './slash-commands.js'

describe('parseSlash', () => {
  it('finds commands by name or alias with their arguments; other text is a message', () => {
    expect(parseSlash('/model  qwen3-coder ')).toEqual({kind: 'command', name: 'model', args: 'qwen3-coder'})
    expect(parseSlash('/exit')).toEqual({kind: 'command', name: 'quit', args: ''})
    expect(parseSlash('/APPLY')).toEqual({kind: 'command', name: 'apply', args: ''})
    expect(parseSlash('fix the tests')).toEqual({kind: 'message', text: 'fix the tests'})
    expect(parseSlash('//etc is a folder')).toEqual({kind: 'message', text: '/etc is a folder'})
    expect(parseSlash('/usr/bin/env is missing')).toEqual({kind: 'message', text: '/usr/bin/env is missing'})
  })

  it('suggests the nearest command for a typo, and nothing for something unlike any', () => {
    expect(parseSlash('/dif')).toEqual({kind: 'unknown', typed: 'dif', suggestion: 'diff'})
    expect(parseSlash('/aply')).toMatchObject({suggestion: 'apply'})
    expect(parseSlash('/stast')).toMatchObject({suggestion: 'stats'})
    expect(parseSlash('/tols')).toMatchObject({suggestion: 'tools'})
    expect(parseSlash('/approval')).toMatchObject({suggestion: 'approval-mode'})
    expect(parseSlash('/xyzzy')).toEqual({kind: 'unknown', typed: 'xyzzy', suggestion: undefined})
  })
})

describe('nearest match', () => {
  it('counts insertions, deletions, substitutions and swaps as one edit each', () => {
    expect(editDistance('diff', 'diff')).toBe(0)
    expect(editDistance('dif', 'diff')).toBe(1)
    expect(editDistance('dfif', 'diff')).toBe(1)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })

  it('prefers a unique prefix, and completes prefixes', () => {
    expect(nearestCommand('cl')).toBe('clear')
    expect(completeCommand('/a')).toEqual(['auth', 'approval-mode', 'apply'])
    expect(completeCommand('/di')).toEqual(['diff', 'discard'])
  })
})
