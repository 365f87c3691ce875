// Change listing edge cases: folders and files the agent made unreadable, the entry cap, a fetch refused mid-way.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {Manifest} from '../workspace/manifest.js'
import {computeChanges, type ListingPage, type SandboxEntry} from './compute-changes.js'
import type {FetchedEntry} from './fetch-file.js'

let hostRoot: string
beforeEach(() => {
  hostRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'compute-changes-'))
})
afterEach(() => fs.rmSync(hostRoot, {recursive: true, force: true}))

const MTIME = 1_700_000_000
const dir = (p: string, mode = 0o755): SandboxEntry => ({path: p, type: 'd', size: 4096, mtimeMs: MTIME * 1000, mode})
const file = (p: string, size: number, mode = 0o644, mtime = MTIME): SandboxEntry => ({
  path: p,
  type: 'f',
  size,
  mtimeMs: mtime * 1000,
  mode,
})

function manifestOf(entries: SandboxEntry[]): Manifest {
  return new Map(entries.map((e) => [e.path, {type: e.type as 'f' | 'd', size: e.size, mtime: MTIME, mode: e.mode}]))
}

function inputs(manifest: Manifest, pages: ListingPage[], extra: {maxEntries?: number; denied?: string[]} = {}) {
  const fetched: string[] = []
  return {
    fetched,
    run: () =>
      computeChanges({
        sessionId: 's',
        hostRoot,
        manifest,
        listing: pages,
        maxEntries: extra.maxEntries ?? 1000,
        hashInSandbox: async (paths) => Object.fromEntries(paths.map((p) => [p, null])),
        fetch: async (rel): Promise<FetchedEntry> => {
          fetched.push(rel)
          if (extra.denied?.includes(rel)) throw Object.assign(new Error(`EACCES: ${rel}`), {code: 'EACCES'})
          return {type: 'file', size: 3, mode: 0o644, data: Buffer.from('new')}
        },
      }),
  }
}

const base = [dir('src'), file('src/a.ts', 2), file('src/b.ts', 2), dir('src/deep'), file('src/deep/c.ts', 2)]

describe('computeChanges', () => {
  it('never takes the contents of a folder it cannot read for deleted, and names the folder instead', async () => {
    // The runner lists the chmod 000 folder itself, then says it could not look into it.
    const pages = [{entries: [dir('src', 0o000), file('other.ts', 3)], unreadable: ['src']}]
    const {changeSet} = await inputs(manifestOf(base), pages).run()
    expect(changeSet.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['added other.ts'])
    expect(changeSet.unreadable).toEqual([{path: 'src', entryType: 'directory', onHost: true}])
  })

  it('infers an unreadable folder from its mode when an older runner does not say so', async () => {
    const pages = [{entries: [dir('src', 0o300)], unreadable: []}]
    const {changeSet} = await inputs(manifestOf(base), pages).run()
    expect(changeSet.changes).toEqual([])
    expect(changeSet.unreadable?.map((e) => e.path)).toEqual(['src'])
  })

  it('reports an unreadable file by name, leaves it out of the changes and lists the rest', async () => {
    const pages = [
      {entries: [dir('src'), file('src/a.ts', 2, 0o000), file('src/b.ts', 3), dir('src/deep')], unreadable: []},
      {entries: [file('src/deep/c.ts', 2)], unreadable: []},
    ]
    const run = inputs(manifestOf(base), pages)
    const {changeSet} = await run.run()
    expect(changeSet.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['modified src/b.ts'])
    expect(changeSet.unreadable).toEqual([{path: 'src/a.ts', entryType: 'file', onHost: true}])
    expect(run.fetched).toEqual(['src/b.ts'])
  })

  it('moves a file whose fetch is refused (EACCES) to the unreadable list instead of failing', async () => {
    const pages = [{entries: [...base.slice(0, 2), file('src/b.ts', 3), ...base.slice(3)], unreadable: []}]
    const {changeSet} = await inputs(manifestOf(base), pages, {denied: ['src/b.ts']}).run()
    expect(changeSet.changes).toEqual([])
    expect(changeSet.unreadable?.map((e) => e.path)).toEqual(['src/b.ts'])
  })

  it('past maxEntries keeps only that many, counts the rest and fetches nothing', async () => {
    const many: ListingPage[] = []
    for (let page = 0; page < 10; page += 1)
      many.push({entries: Array.from({length: 100}, (_, i) => file(`new/${page}-${i}`, 1)), unreadable: []})
    const run = inputs(new Map(), many, {maxEntries: 50})
    const {changeSet} = await run.run()
    expect(changeSet.overLimit).toEqual({count: 1000, limit: 50})
    expect(changeSet.changes).toHaveLength(50)
    expect(run.fetched).toEqual([])
  })
})
