// The test fake behaves like a session where plugins look: files under /workspace, exec with cwd, changes, cleanup.
import fs from 'node:fs'

import {describe, expect, it} from 'vitest'

import {createFakeSandbox} from './fake-sandbox.js'

describe('createFakeSandbox', () => {
  it('reads, writes and lists under /workspace and refuses paths outside it', async () => {
    await using sandbox = await createFakeSandbox({files: {'src/a.txt': 'hello\n'}})
    expect((await sandbox.readFile('/workspace/src/a.txt')).toString()).toBe('hello\n')
    await sandbox.writeFile('/workspace/deep/new.txt', 'x')
    expect(await sandbox.list('/workspace')).toEqual([
      {name: 'deep', type: 'directory', size: expect.any(Number)},
      {name: 'src', type: 'directory', size: expect.any(Number)},
    ])
    await expect(sandbox.readFile('/etc/passwd')).rejects.toThrow('outside /workspace')
    await expect(sandbox.readFile('/workspace/../etc/passwd')).rejects.toThrow('outside /workspace')
    expect((await sandbox.changes()).changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['added deep/new.txt'])
  })

  it('runs exec with the workspace as cwd and reports output and exit code in one shape', async () => {
    await using sandbox = await createFakeSandbox({files: {'sub/f.txt': 'one\ntwo\n'}})
    const ok = await sandbox.exec('wc -l < f.txt', {cwd: '/workspace/sub'}).result
    expect(ok.exitCode).toBe(0)
    expect(ok.stdout.text.trim()).toBe('2')
    const handle = sandbox.exec('echo out; echo err >&2; exit 3')
    const seen: string[] = []
    for await (const event of handle) seen.push(event.type)
    expect(seen).toContain('exit')
    const failed = await handle.result
    expect({code: failed.exitCode, out: failed.stdout.text, err: failed.stderr.text}).toEqual({
      code: 3,
      out: 'out\n',
      err: 'err\n',
    })
    const slow = await sandbox.exec('sleep 5', {timeoutMs: 100}).result
    expect(slow.timedOut).toBe(true)
    expect(sandbox.commands).toHaveLength(3)
  })

  it('removes its directory on dispose', async () => {
    let root: string
    {
      await using sandbox = await createFakeSandbox()
      root = sandbox.root
      expect(fs.existsSync(root)).toBe(true)
    }
    expect(fs.existsSync(root)).toBe(false)
  })
})
