// write_file: creates with parents, overwrites, refuses directories and paths outside /workspace.
import {describe, expect, it} from 'vitest'

import {createFakeSandbox, runTool} from '../test-support/run-tool.js'
import {writeFileTool} from './write-file.js'

describe('write_file', () => {
  it('creates a file and its parent directories, then overwrites it', async () => {
    await using sandbox = await createFakeSandbox()
    const created = await runTool(writeFileTool, sandbox, {file_path: '/workspace/a/b/c.txt', content: 'hi\n'})
    expect(created.forModel).toBe('Successfully created and wrote to new file: /workspace/a/b/c.txt')
    expect((await sandbox.readFile('/workspace/a/b/c.txt')).toString()).toBe('hi\n')
    const again = await runTool(writeFileTool, sandbox, {file_path: '/workspace/a/b/c.txt', content: 'bye'})
    expect(again.forModel).toBe('Successfully overwrote file: /workspace/a/b/c.txt')
    expect((await sandbox.readFile('/workspace/a/b/c.txt')).toString()).toBe('bye')
  })

  it('refuses a directory and a path that leaves the workspace', async () => {
    await using sandbox = await createFakeSandbox({files: {'d/x': ''}})
    expect((await runTool(writeFileTool, sandbox, {file_path: '/workspace/d', content: ''})).error?.kind).toBe(
      'invalid_parameters',
    )
    const escape = await runTool(writeFileTool, sandbox, {file_path: '/workspace/../../tmp/x', content: 'x'})
    expect(escape.error?.kind).toBe('invalid_parameters')
    expect(sandbox.commands).toEqual([])
  })
})
