// glob: matches by path or base name, respects ignore files (root and nested), newest first.
import fs from 'node:fs/promises'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {createFakeSandbox, runTool} from '../test-support/run-tool.js'
import {globTool} from './glob.js'

const files = {
  '.gitignore': 'node_modules\n/build/\n',
  'src/a.ts': '',
  'src/deep/b.ts': '',
  'src/deep/.gitignore': 'secret.ts\n',
  'src/deep/secret.ts': '',
  'node_modules/pkg/index.ts': '',
  'build/gen.ts': '',
  'README.md': '',
}

describe('glob', () => {
  it('finds files by base name at any depth, leaving ignored ones out, newest first', async () => {
    await using sandbox = await createFakeSandbox({files})
    await fs.utimes(path.join(sandbox.root, 'src/a.ts'), new Date(), new Date(Date.now() + 60_000))
    const result = await runTool(globTool, sandbox, {pattern: '*.ts'})
    expect(result.forModel).toBe(
      'Found 2 file(s) matching "*.ts" within /workspace, sorted by modification time (newest first):\n/workspace/src/a.ts\n/workspace/src/deep/b.ts',
    )
  })

  it('matches whole relative paths under a directory, and can ignore the ignore files', async () => {
    await using sandbox = await createFakeSandbox({files})
    const inDeep = await runTool(globTool, sandbox, {
      pattern: 'deep/**/*.ts',
      path: '/workspace/src',
      respect_git_ignore: false,
    })
    expect(inDeep.forModel).toContain('/workspace/src/deep/secret.ts')
    expect(inDeep.forModel).toContain('/workspace/src/deep/b.ts')
    const none = await runTool(globTool, sandbox, {pattern: '*.py'})
    expect(none.forModel).toBe('No files found matching pattern "*.py" within /workspace.')
  })
})
