// list_directory: directories first, ignore files and ignore globs respected, missing or file paths refused.
import {describe, expect, it} from 'vitest'

import {createFakeSandbox, runTool} from '../test-support/run-tool.js'
import {listDirectoryTool} from './list-directory.js'

const files = {
  '.gitignore': 'dist/\n*.log\n',
  'src/a.ts': '',
  'dist/out.js': '',
  'b.txt': '',
  'debug.log': '',
  'docs/x.md': '',
}

describe('list_directory', () => {
  it('lists directories first and hides ignored entries', async () => {
    await using sandbox = await createFakeSandbox({files})
    const result = await runTool(listDirectoryTool, sandbox, {path: '/workspace'})
    expect(result.forModel).toBe(
      'Directory listing for /workspace:\n[DIR] docs\n[DIR] src\n.gitignore\nb.txt\n\n(2 ignored)',
    )
  })

  it('shows everything when asked, and applies ignore globs', async () => {
    await using sandbox = await createFakeSandbox({files})
    const all = await runTool(listDirectoryTool, sandbox, {
      path: '/workspace',
      respect_git_ignore: false,
      ignore: ['*.txt'],
    })
    expect(all.forModel).toBe(
      'Directory listing for /workspace:\n[DIR] dist\n[DIR] docs\n[DIR] src\n.gitignore\ndebug.log\n\n(1 ignored)',
    )
  })

  it('refuses files, missing directories and escapes', async () => {
    await using sandbox = await createFakeSandbox({files})
    expect((await runTool(listDirectoryTool, sandbox, {path: '/workspace/b.txt'})).error?.kind).toBe(
      'invalid_parameters',
    )
    expect((await runTool(listDirectoryTool, sandbox, {path: '/workspace/none'})).error?.message).toBe(
      'Directory not found: /workspace/none',
    )
    expect((await runTool(listDirectoryTool, sandbox, {path: '/'})).error?.kind).toBe('invalid_parameters')
  })
})
