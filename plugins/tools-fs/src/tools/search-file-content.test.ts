// search_file_content: regex over text files, grouped by file with line numbers, ignore files and include respected.
import {describe, expect, it} from 'vitest'

import {createFakeSandbox, runTool} from '../test-support/run-tool.js'
import {searchFileContentTool} from './search-file-content.js'

const files = {
  '.qwenignore': 'secret/\n',
  'src/a.ts': 'export function myFunction() {}\nconst x = myFunction()\n',
  'src/b.js': 'function other() {}\n',
  'secret/c.ts': 'function myFunction() {}\n',
  'bin.dat': Buffer.from([0, 1, 2, 0x66, 0x75, 0x6e]),
}

describe('search_file_content', () => {
  it('returns matching lines with line numbers, skipping ignored and binary files', async () => {
    await using sandbox = await createFakeSandbox({files})
    const result = await runTool(searchFileContentTool, sandbox, {pattern: 'function\\s+\\w+'})
    expect(result.forModel).toBe(
      'Found 2 match(es) for pattern "function\\s+\\w+" in /workspace:\n---\n' +
        'File: /workspace/src/a.ts\nL1: export function myFunction() {}\n---\nFile: /workspace/src/b.js\nL1: function other() {}',
    )
  })

  it('filters by include and searches a single file', async () => {
    await using sandbox = await createFakeSandbox({files})
    const js = await runTool(searchFileContentTool, sandbox, {pattern: 'FUNCTION', include: '*.js'})
    expect(js.forUser).toBe('Found 1 match(es) in 1 file(s)')
    const one = await runTool(searchFileContentTool, sandbox, {pattern: 'myFunction', path: '/workspace/src/a.ts'})
    expect(one.forModel).toContain('L2: const x = myFunction()')
  })

  it('reports no matches and refuses an invalid regex', async () => {
    await using sandbox = await createFakeSandbox({files})
    expect((await runTool(searchFileContentTool, sandbox, {pattern: 'nothing-here'})).forModel).toBe(
      'No matches found for pattern "nothing-here" in /workspace.',
    )
    expect((await runTool(searchFileContentTool, sandbox, {pattern: '(unclosed'})).error?.kind).toBe(
      'invalid_parameters',
    )
  })

  it('treats the pattern as data, not shell', async () => {
    await using sandbox = await createFakeSandbox({files})
    await runTool(searchFileContentTool, sandbox, {pattern: "'; touch pwned; '"})
    await expect(sandbox.readFile('pwned')).rejects.toThrow()
  })
})
