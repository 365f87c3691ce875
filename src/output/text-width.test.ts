// Width, wrapping and cutting with colour codes and wide characters (emoji and CJK take two columns).
import {describe, expect, it} from 'vitest'

import {graphemes, truncate, visibleWidth, wrapLine, wrapText} from './text-width.js'

const red = (text: string) => `\u001B[31m${text}\u001B[0m`

describe('text width', () => {
  it('measures without colour codes and counts wide characters twice', () => {
    expect(visibleWidth(red('abc'))).toBe(3)
    expect(visibleWidth('日本')).toBe(4)
  })

  it('counts emoji as two columns, a joined emoji or a flag as one character', () => {
    expect(visibleWidth('🚀')).toBe(2)
    expect(visibleWidth('✅')).toBe(2)
    expect(visibleWidth('⚡')).toBe(2)
    expect(visibleWidth('go 🚀 ✅ ⚡!')).toBe(3 + 3 + 3 + 3)
    expect(graphemes('👩‍💻🇫🇷é')).toEqual(['👩‍💻', '🇫🇷', 'é'])
    expect(visibleWidth('👩‍💻')).toBe(2)
  })

  it('wraps by columns, keeping colour codes with their text and wide characters whole', () => {
    expect(wrapLine('abcdefg', 3)).toEqual(['abc', 'def', 'g'])
    expect(wrapLine(red('abcd'), 2)).toEqual(['\u001B[31mab', 'cd\u001B[0m'])
    expect(wrapLine('', 5)).toEqual([''])
    // A two-column character that does not fit in the row's last column starts the next row.
    expect(wrapLine('ab🚀c', 3)).toEqual(['ab', '🚀c'])
    expect(wrapLine('✅✅✅', 4)).toEqual(['✅✅', '✅'])
    expect(wrapLine('a👩‍💻b', 3)).toEqual(['a👩‍💻', 'b'])
  })

  it('wraps prose by words and every row fits', () => {
    const rows = wrapText('deploy 🚀 the rocket ✅ now', 10)
    expect(rows).toEqual(['deploy 🚀 ', 'the rocket', ' ✅ now'])
    for (const row of rows) expect(visibleWidth(row)).toBeLessThanOrEqual(10)
  })

  it('cuts with an ellipsis and resets colours it cut off, never half a wide character', () => {
    expect(truncate('abcdef', 4)).toBe('abc…')
    expect(truncate('abc', 4)).toBe('abc')
    expect(truncate(red('abcdef'), 4)).toBe('\u001B[31mabc\u001B[0m…')
    expect(truncate('a🚀🚀🚀', 5)).toBe('a🚀…')
  })
})
