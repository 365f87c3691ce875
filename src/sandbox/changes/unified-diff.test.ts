// The unified diff agrees with GNU `diff -u` on the cases that matter (edits, adds, deletes, missing final newline).
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {unifiedDiff} from './unified-diff.js'

function gnuDiff(a: string, b: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'udiff-'))
  fs.writeFileSync(path.join(dir, 'a'), a)
  fs.writeFileSync(path.join(dir, 'b'), b)
  try {
    execFileSync('diff', ['-u', '--label', 'a/f', '--label', 'b/f', 'a', 'b'], {cwd: dir, encoding: 'utf8'})
    return ''
  } catch (error) {
    return (error as {stdout: string}).stdout
  } finally {
    fs.rmSync(dir, {recursive: true})
  }
}

const lines = (n: number, prefix = 'line'): string => Array.from({length: n}, (_, i) => `${prefix} ${i + 1}\n`).join('')

describe('unifiedDiff', () => {
  const cases: Array<[string, string, string]> = [
    ['equal', 'a\nb\n', 'a\nb\n'],
    ['single line', 'a\n', 'b\n'],
    ['one line added to one line', 'hello\n', 'hello\nchanged\n'],
    ['one line changed', lines(20), lines(20).replace('line 10\n', 'line ten\n')],
    ['two distant hunks', lines(40), lines(40).replace('line 3\n', 'x\n').replace('line 35\n', 'y\n')],
    ['added at end', lines(5), `${lines(5)}more\n`],
    ['deleted at start', lines(5), lines(5).replace('line 1\n', '')],
    ['no newline at end', 'a\nb', 'a\nb\n'],
    ['from empty', '', 'a\nb\n'],
    ['to empty', 'a\nb\n', ''],
    ['interleaved', 'a\nb\nc\nd\ne\nf\n', 'a\nx\nc\ny\ne\nz\n'],
  ]
  for (const [name, a, b] of cases) {
    it(name, () => {
      expect(unifiedDiff(a, b, 'a/f', 'b/f')).toBe(gnuDiff(a, b))
    })
  }
})
