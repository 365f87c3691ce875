// read_many_files: paths, directories and globs; default excludes; binaries skipped; separators per file.
import {describe, expect, it} from 'vitest'

import {createFakeSandbox, runTool} from '../test-support/run-tool.js'
import {readManyFilesTool} from './read-many-files.js'

const files = {
  'README.md': '# hi',
  'src/a.ts': 'a',
  'src/lib/b.ts': 'b',
  'src/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]),
  'node_modules/x/index.ts': 'dep',
}

describe('read_many_files', () => {
  it('reads files named directly, by directory and by glob, with separators', async () => {
    await using sandbox = await createFakeSandbox({files})
    const result = await runTool(readManyFilesTool, sandbox, {paths: ['README.md', 'src']})
    expect(result.forModel).toBe(
      '--- /workspace/README.md ---\n\n# hi\n\n--- /workspace/src/a.ts ---\n\na\n\n--- /workspace/src/lib/b.ts ---\n\nb\n\n' +
        '--- End of content ---\n[Skipped 1 file(s): src/logo.png (binary)]',
    )
  })

  it('applies default excludes unless told not to, and explicit excludes', async () => {
    await using sandbox = await createFakeSandbox({files})
    const ts = await runTool(readManyFilesTool, sandbox, {paths: ['**/*.ts'], exclude: ['src/lib/**']})
    expect(ts.forUser).toBe('Read 1 file(s)')
    const withDeps = await runTool(readManyFilesTool, sandbox, {paths: ['**/*.ts'], useDefaultExcludes: false})
    expect(withDeps.forModel).toContain('--- /workspace/node_modules/x/index.ts ---')
  })

  it('says so when nothing matches', async () => {
    await using sandbox = await createFakeSandbox({files})
    expect((await runTool(readManyFilesTool, sandbox, {paths: ['*.py']})).forUser).toBe('No files matched')
  })
})
