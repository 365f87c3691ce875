import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {parseTasks} from './task-file.js'

describe('parseTasks', () => {
  it('reads cwd and repo tasks with overrides; paths are relative to the tasks file', () => {
    const tasks = parseTasks(
      [
        '{"id": "a", "cwd": "../app", "prompt": "fix it", "model": "m2", "maxTurns": 3}',
        '',
        '// a comment',
        '{"id": "b", "repo": "https://example.org/x.git", "ref": "main", "prompt": "p", "sandbox": {"memory": "1g"}}',
        '{"id": "c", "repo": "repos/local", "prompt": "p", "network": {"allow": ["@npm"]}}',
      ].join('\n'),
      '/work/tasks/t.jsonl',
    )
    expect(tasks.map((task) => task.id)).toEqual(['a', 'b', 'c'])
    expect(tasks[0]).toMatchObject({line: 1, source: {kind: 'dir', path: path.resolve('/work/app')}})
    expect(tasks[0]!.overrides).toEqual({model: 'm2', maxTurns: 3})
    expect(tasks[1]!.source).toEqual({kind: 'repo', url: 'https://example.org/x.git', ref: 'main'})
    expect(tasks[2]!.source).toEqual({kind: 'repo', url: '/work/tasks/repos/local'})
  })

  it('names every bad line in one error', () => {
    const text = [
      '{"id": "a", "prompt": "x"}',
      'nope',
      '{"id": "../up", "cwd": ".", "prompt": "x"}',
      '{"id": "d", "cwd": ".", "prompt": "x", "colour": 1}',
      '{"id": "e", "cwd": ".", "prompt": "x", "sandbox": {"cpus": -1}}',
      '{"id": "f", "cwd": ".", "prompt": "x"}',
      '{"id": "f", "cwd": ".", "prompt": "y"}',
    ].join('\n')
    let message = ''
    try {
      parseTasks(text, 't.jsonl')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('6 bad line(s)')
    expect(message).toContain('t.jsonl:1: give exactly one of "cwd" and "repo"')
    expect(message).toContain('t.jsonl:2: not a JSON object')
    expect(message).toContain('t.jsonl:3: id:')
    expect(message).toContain('t.jsonl:4:')
    expect(message).toContain('t.jsonl:5: sandbox.cpus')
    expect(message).toContain('t.jsonl:7: id "f" is already used on line 6')
  })

  it('an empty file is an error', () => {
    expect(() => parseTasks('\n\n', 't.jsonl')).toThrow(/no tasks/)
  })
})
