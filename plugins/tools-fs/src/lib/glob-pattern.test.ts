// Glob translation: base-name patterns at any depth, ** across directories, sets and alternatives.
import {describe, expect, it} from 'vitest'

import {globToRegExp} from './glob-pattern.js'

describe('globToRegExp', () => {
  it.each([
    ['*.ts', 'a.ts', true],
    ['*.ts', 'src/deep/a.ts', true],
    ['*.ts', 'a.tsx', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/x/a.ts', false],
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/x/y/a.ts', true],
    ['**/*.{ts,tsx}', 'a/b.tsx', true],
    ['file?.[ch]', 'file1.c', true],
    ['file?.[!ch]', 'file1.c', false],
    ['a.b', 'axb', false],
  ])('%s on %s is %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern, {caseSensitive: true}).test(path)).toBe(expected)
  })
})
