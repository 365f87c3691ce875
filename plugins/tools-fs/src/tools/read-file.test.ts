// read_file against the fake sandbox: windows of lines, truncation notes, binaries, directories, escapes.
import {describe, expect, it} from 'vitest'

import {createFakeSandbox, runTool} from '../test-support/run-tool.js'
import {readFileTool} from './read-file.js'

describe('read_file', () => {
  it('returns a small text file whole', async () => {
    await using sandbox = await createFakeSandbox({files: {'src/a.ts': 'one\ntwo\n'}})
    const result = await runTool(readFileTool, sandbox, {absolute_path: '/workspace/src/a.ts'})
    expect(result).toEqual({forModel: 'one\ntwo', forUser: 'Read /workspace/src/a.ts (2 lines)'})
  })

  it('reads a window with offset and limit and says how to read on', async () => {
    const lines = Array.from({length: 10}, (_, i) => `line ${i + 1}`).join('\n')
    await using sandbox = await createFakeSandbox({files: {'f.txt': lines}})
    const result = await runTool(readFileTool, sandbox, {absolute_path: 'f.txt', offset: 2, limit: 3})
    expect(result.forModel).toBe(
      '[File content truncated: showing lines 3-5 of 10 total lines. Use offset: 5 to read more.]\nline 3\nline 4\nline 5',
    )
  })

  it('detects binary files and refuses directories, missing files and escapes', async () => {
    await using sandbox = await createFakeSandbox({
      files: {'img.bin': Buffer.from([0x89, 0x50, 0, 1, 2]), 'dir/x': 'x'},
    })
    expect((await runTool(readFileTool, sandbox, {absolute_path: '/workspace/img.bin'})).forModel).toContain(
      'Cannot display content of binary file',
    )
    expect((await runTool(readFileTool, sandbox, {absolute_path: '/workspace/dir'})).error?.kind).toBe(
      'invalid_parameters',
    )
    const missing = await runTool(readFileTool, sandbox, {absolute_path: '/workspace/nope.txt'})
    expect(missing.error).toEqual({kind: 'execution_failed', message: 'File not found: /workspace/nope.txt'})
    const escape = await runTool(readFileTool, sandbox, {absolute_path: '/etc/passwd'})
    expect(escape.error?.kind).toBe('invalid_parameters')
    expect(escape.forModel).toContain('outside /workspace')
  })

  it('shortens very long lines', async () => {
    await using sandbox = await createFakeSandbox({files: {'long.txt': 'x'.repeat(5000)}})
    const result = await runTool(readFileTool, sandbox, {absolute_path: '/workspace/long.txt'})
    expect(result.forModel).toContain('[line truncated]')
    expect(result.forModel.length).toBeLessThan(2200)
  })
})
