// Warm reuse sends only what differs: whatever the previous session left in the workspace is verified or replaced.
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {makeEngine, makeProject, settings} from './helpers/fixtures.js'

describe('warm reuse', () => {
  it('brings the workspace back to the host copy: edits, look-alike edits, type changes, new and removed files', async () => {
    const engine = makeEngine()
    const dir = makeProject({
      'same.txt': 'unchanged\n',
      'forged.txt': 'original content\n',
      'host-edit.txt': 'old\n',
      'gone-on-host.txt': 'bye\n',
      'dir-to-file/inner.txt': 'x\n',
      'file-to-dir': 'a file\n',
      'src/keep.ts': 'export const a = 1\n',
    })
    fs.symlinkSync('same.txt', path.join(dir, 'link'))
    // forged.txt and same.txt share an mtime, so `touch -r` below makes a look-alike: same size, mode and mtime.
    const stamp = new Date('2024-01-02T03:04:05Z')
    for (const name of ['same.txt', 'forged.txt']) fs.utimesSync(path.join(dir, name), stamp, stamp)
    const first = await engine.open(dir, settings(), {reuse: true})
    // The previous session: a same-size edit with the mtime put back (only a hash can tell), scratch files,
    // a changed link and mode, and a process left running.
    const left = await first.exec(
      [
        'printf "forged!! content\\n" > forged.txt && touch -r same.txt forged.txt',
        'mkdir -p scratch/deep && echo s > scratch/deep/s.txt',
        'ln -sfn host-edit.txt link',
        'chmod 600 src/keep.ts',
        'sleep 500 &',
      ].join('; '),
    ).result
    expect(left.exitCode).toBe(0)
    await first[Symbol.asyncDispose]()

    // Meanwhile on the host.
    fs.writeFileSync(path.join(dir, 'host-edit.txt'), 'new and longer\n')
    fs.rmSync(path.join(dir, 'gone-on-host.txt'))
    fs.rmSync(path.join(dir, 'dir-to-file'), {recursive: true})
    fs.writeFileSync(path.join(dir, 'dir-to-file'), 'now a file\n')
    fs.rmSync(path.join(dir, 'file-to-dir'))
    fs.mkdirSync(path.join(dir, 'file-to-dir'))
    fs.writeFileSync(path.join(dir, 'file-to-dir/inside.txt'), 'inside\n')
    fs.writeFileSync(path.join(dir, 'added.txt'), 'added\n')

    const second = await engine.open(dir, settings(), {reuse: true})
    try {
      expect(second.id).toBe(first.id)
      const out = (
        await second.exec(
          'find . | sort; cat forged.txt host-edit.txt dir-to-file file-to-dir/inside.txt added.txt; readlink link; ' +
            'stat -c "%a %u" src/keep.ts; pgrep -x sleep || echo no-sleep',
        ).result
      ).stdout.text
      expect(out).toBe(
        [
          '.',
          './added.txt',
          './dir-to-file',
          './file-to-dir',
          './file-to-dir/inside.txt',
          './forged.txt',
          './host-edit.txt',
          './link',
          './same.txt',
          './src',
          './src/keep.ts',
          'original content',
          'new and longer',
          'now a file',
          'inside',
          'added',
          'same.txt',
          '644 1000',
          'no-sleep',
          '',
        ].join('\n'),
      )
      // The new base is the host copy: nothing to report.
      expect((await second.changes()).changes).toEqual([])
    } finally {
      await second.close()
    }
  })
})
