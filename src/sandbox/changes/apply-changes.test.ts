// Applying on a real host directory: names up to the file system's 255 bytes, with contents already fetched.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {applyChanges} from './apply-changes.js'
import {sha256} from './compute-changes.js'

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true})
})

describe('applyChanges', () => {
  it('applies names of 230 to 255 bytes (the temporary name stays short)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-agent-apply-'))
    roots.push(root)
    const names = [230, 250, 255].map((length) => 'n'.repeat(length))
    const data = Buffer.from('long\n')
    const report = await applyChanges({
      hostRoot: root,
      containerRoot: '/workspace',
      maxBytes: 1024,
      contents: new Map(names.map((name) => [name, data])),
      source: {getArchive: () => Promise.reject(new Error('contents were given'))},
      changeSet: {
        sessionId: 's',
        changes: names.map((name) => ({
          path: name,
          kind: 'added' as const,
          entryType: 'file' as const,
          binary: false,
          mode: 0o644,
          size: data.length,
          sha256: sha256(data),
          verdict: {},
        })),
      },
    })
    expect(report.refused).toEqual([])
    for (const name of names) expect(fs.readFileSync(path.join(root, name), 'utf8')).toBe('long\n')
    expect(fs.readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })
})
