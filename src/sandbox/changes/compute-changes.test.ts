// The change list's text/binary verdict: UTF-8 edits get a diff; a Latin-1 edit is binary, so no diff hides its bytes.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import type {Manifest} from '../workspace/manifest.js'
import {computeChanges, sha256, type SandboxEntry} from './compute-changes.js'

const roots: string[] = []
afterEach(async () => {
  for (const root of roots.splice(0)) await fs.rm(root, {recursive: true, force: true})
})

/** One file changed in the sandbox from `before` (on the host, copied in) to `after`. */
async function changeOneFile(before: Buffer, after: Buffer) {
  const hostRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'compute-changes-'))
  roots.push(hostRoot)
  await fs.writeFile(path.join(hostRoot, 'f.txt'), before)
  const stat = await fs.stat(path.join(hostRoot, 'f.txt'))
  const manifest: Manifest = new Map([
    [
      'f.txt',
      {type: 'f', size: before.length, mtime: Math.floor(stat.mtimeMs / 1000), mode: 0o644, sha256: sha256(before)},
    ],
  ])
  const listing: SandboxEntry[] = [
    {path: 'f.txt', type: 'f', size: after.length, mtimeMs: Date.now() + 5000, mode: 0o644},
  ]
  const {changeSet} = await computeChanges({
    sessionId: 's',
    hostRoot,
    manifest,
    listing: [{entries: listing, unreadable: []}],
    maxEntries: 1000,
    hashInSandbox: async (paths) => Object.fromEntries(paths.map((p) => [p, sha256(after)])),
    fetch: async () => ({type: 'file', size: after.length, mode: 0o644, data: after}),
  })
  expect(changeSet.changes).toHaveLength(1)
  return changeSet.changes[0]!
}

describe('computeChanges text or binary', () => {
  it('diffs a UTF-8 file', async () => {
    const change = await changeOneFile(Buffer.from('name = "café"\n'), Buffer.from('name = "cafés"\n'))
    expect(change.binary).toBe(false)
    expect(change.diff).toContain('+name = "cafés"')
  })

  it('calls a changed Latin-1 file binary, with its hash and no diff', async () => {
    const after = Buffer.from('name = "cafè"\n', 'latin1')
    const change = await changeOneFile(Buffer.from('name = "café"\n', 'latin1'), after)
    expect(change).toMatchObject({kind: 'modified', binary: true, sha256: sha256(after)})
    expect(change.diff).toBeUndefined()
  })

  it('calls a file that became NUL-bearing binary', async () => {
    const change = await changeOneFile(Buffer.from('text\n'), Buffer.from('text\0\n'))
    expect(change.binary).toBe(true)
    expect(change.diff).toBeUndefined()
  })
})
