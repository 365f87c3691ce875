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

describe('globToRegExp edge cases', () => {
  it.each([
    ['*', '.env', true],
    ['**/*.md', 'docs/.hidden/x.md', true],
    ['*.TS', 'a.ts', true],
    ['{a,b}/*.js', 'b/x.js', true],
    ['src/**', 'src/a/b', true],
    ['a/**/b', 'a/b', true],
    ['[a-c].txt', 'd.txt', false],
  ])('%s on %s is %s (case-insensitive by default)', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected)
  })
})
