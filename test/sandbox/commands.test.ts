// `agent diff|apply|discard <session>` on a kept session, each command run as its own process.
import {execFile} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {DockerSandboxEngine} from '../../src/sandbox/docker-engine.js'
import {makeProject, settings} from './helpers/fixtures.js'

const repoRoot = path.resolve(import.meta.dirname, '../..')

function agent(args: string[], dataHome: string): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'test', 'sandbox', 'helpers', 'run-command.ts'), ...args],
      {cwd: repoRoot, env: {...process.env, XDG_DATA_HOME: dataHome, NO_COLOR: '1'}, timeout: 120_000},
      (error, stdout, stderr) => resolve({code: error ? Number(error.code ?? 1) : 0, stdout, stderr}),
    )
  })
}

describe('agent diff / apply / discard', () => {
  it('acts on a kept session by id prefix', async () => {
    const dataHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-data-'))
    const engine = new DockerSandboxEngine({stateDir: path.join(dataHome, 'sandbox-agent')})
    const dir = makeProject({'a.txt': 'one\n', 'b.txt': 'bee\n'})
    const session = await engine.open(dir, settings())
    await session.exec('echo two >> a.txt; rm b.txt; echo new > c.txt').result
    await session.keep()
    const prefix = session.id.slice(0, 8)

    const diff = await agent(['diff', prefix], dataHome)
    expect(diff.code).toBe(0)
    expect(diff.stdout).toContain('--- a/a.txt\n+++ b/a.txt\n@@ -1 +1,2 @@\n one\n+two\n')
    expect(diff.stdout).toContain('+++ b/c.txt')
    expect(diff.stderr).toContain('D b.txt')
    const stat = await agent(['diff', prefix, '--stat'], dataHome)
    expect(stat.stdout).toBe('M a.txt\nD b.txt\nA c.txt\n')
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('one\n')

    const applied = await agent(['apply', prefix], dataHome)
    expect(applied.code).toBe(0)
    expect(applied.stdout).toBe('Applied 3 changes.\n')
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('one\ntwo\n')
    expect(fs.existsSync(path.join(dir, 'b.txt'))).toBe(false)
    expect(fs.readFileSync(path.join(dir, 'c.txt'), 'utf8')).toBe('new\n')
    await expect(engine.findSession(session.id)).rejects.toThrow(/No sandbox session/)

    const second = await engine.open(dir, settings())
    await second.keep()
    const discarded = await agent(['discard', second.id], dataHome)
    expect(discarded.stdout).toBe(`Discarded session ${second.id}\n`)
    await expect(engine.findSession(second.id)).rejects.toThrow(/No sandbox session/)
    const missing = await agent(['diff', 'ffffffffffff'], dataHome)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('No sandbox session ffffffffffff')
  })
})
