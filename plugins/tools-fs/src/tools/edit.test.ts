// edit: exact replacement with the expected count, clear errors when the text is missing or ambiguous.
import {describe, expect, it} from 'vitest'

import {createFakeSandbox, runTool} from '../test-support/run-tool.js'
import {editTool} from './edit.js'

describe('edit', () => {
  it('replaces one exact occurrence', async () => {
    await using sandbox = await createFakeSandbox({files: {'a.ts': 'const a = 1\nconst b = 2\n'}})
    const result = await runTool(editTool, sandbox, {
      file_path: '/workspace/a.ts',
      old_string: 'const b = 2',
      new_string: 'const b = 3',
    })
    expect(result.forModel).toBe('Successfully modified file: /workspace/a.ts (1 replacement).')
    expect((await sandbox.readFile('a.ts')).toString()).toBe('const a = 1\nconst b = 3\n')
  })

  it('refuses a Latin-1 file, whose other accented bytes an edit through UTF-8 would rewrite, and changes nothing', async () => {
    const latin1 = Buffer.from('const name = "café"\nconst b = 2\n', 'latin1')
    await using sandbox = await createFakeSandbox({files: {'old.c': latin1}})
    const result = await runTool(editTool, sandbox, {
      file_path: '/workspace/old.c',
      old_string: 'const b = 2',
      new_string: 'const b = 3',
    })
    expect(result.error).toEqual({
      kind: 'invalid_parameters',
      message: 'Failed to edit: /workspace/old.c is a binary file',
    })
    expect(await sandbox.readFile('old.c')).toEqual(latin1)
  })

  it('fails clearly when old_string is missing, and changes nothing', async () => {
    await using sandbox = await createFakeSandbox({files: {'a.ts': 'x\n'}})
    const result = await runTool(editTool, sandbox, {file_path: '/workspace/a.ts', old_string: 'y', new_string: 'z'})
    expect(result.error?.message).toMatch(/^Failed to edit, 0 occurrences found for old_string in \/workspace\/a.ts/)
    expect((await sandbox.readFile('a.ts')).toString()).toBe('x\n')
  })

  it('fails when old_string is ambiguous, and replaces all when the count is expected', async () => {
    await using sandbox = await createFakeSandbox({files: {'a.ts': 'foo foo foo'}})
    const ambiguous = await runTool(editTool, sandbox, {
      file_path: '/workspace/a.ts',
      old_string: 'foo',
      new_string: 'bar',
    })
    expect(ambiguous.error?.message).toContain('expected 1 occurrence but found 3')
    const wrongCount = await runTool(editTool, sandbox, {
      file_path: '/workspace/a.ts',
      old_string: 'foo',
      new_string: 'bar',
      expected_replacements: 2,
    })
    expect(wrongCount.error?.message).toContain('expected 2 occurrences but found 3')
    const all = await runTool(editTool, sandbox, {
      file_path: '/workspace/a.ts',
      old_string: 'foo',
      new_string: '$&bar',
      expected_replacements: 3,
    })
    expect(all.forModel).toContain('(3 replacements)')
    expect((await sandbox.readFile('a.ts')).toString()).toBe('$&bar $&bar $&bar')
  })

  it('creates a file from an empty old_string, but not over an existing one', async () => {
    await using sandbox = await createFakeSandbox({files: {'old.txt': 'x'}})
    const created = await runTool(editTool, sandbox, {
      file_path: '/workspace/new/file.txt',
      old_string: '',
      new_string: 'hello',
    })
    expect(created.forModel).toBe('Created new file: /workspace/new/file.txt with provided content.')
    expect((await sandbox.readFile('new/file.txt')).toString()).toBe('hello')
    const refused = await runTool(editTool, sandbox, {file_path: '/workspace/old.txt', old_string: '', new_string: 'y'})
    expect(refused.error?.message).toContain('already exists')
  })

  it('refuses a missing file and identical strings', async () => {
    await using sandbox = await createFakeSandbox({files: {'a.txt': 'a'}})
    expect(
      (await runTool(editTool, sandbox, {file_path: '/workspace/none', old_string: 'a', new_string: 'b'})).error
        ?.message,
    ).toContain('does not exist')
    expect(
      (await runTool(editTool, sandbox, {file_path: '/workspace/a.txt', old_string: 'a', new_string: 'a'})).error
        ?.message,
    ).toContain('identical')
  })
})
