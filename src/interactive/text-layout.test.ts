// Width, wrapping and cutting of terminal text with colour codes, wide characters and carriage returns.
import {describe, expect, it} from 'vitest'

import {
  applyCarriageReturns,
  keepOnlyColors,
  showControls,
  stripAnsi,
  truncate,
  visibleWidth,
  wrapLine,
} from './text-layout.js'

const red = (text: string) => `\u001B[31m${text}\u001B[0m`

describe('text layout', () => {
  it('measures without colour codes and counts wide characters twice', () => {
    expect(visibleWidth(red('abc'))).toBe(3)
    expect(visibleWidth('日本')).toBe(4)
  })

  it('wraps by columns, keeping colour codes with their text', () => {
    expect(wrapLine('abcdefg', 3)).toEqual(['abc', 'def', 'g'])
    expect(wrapLine(red('abcd'), 2)).toEqual(['\u001B[31mab', 'cd\u001B[0m'])
    expect(wrapLine('', 5)).toEqual([''])
  })

  it('cuts with an ellipsis and resets colours it cut off', () => {
    expect(truncate('abcdef', 4)).toBe('abc…')
    expect(truncate('abc', 4)).toBe('abc')
    expect(truncate(red('abcdef'), 4)).toBe('\u001B[31mabc\u001B[0m…')
  })

  it('strips escapes, or keeps only colours; applies carriage returns', () => {
    const painted = '\u001B[2J\u001B[1;1H\u001B[32mok\u001B[0m\u001B]0;title\u0007'
    expect(stripAnsi(painted)).toBe('ok')
    expect(keepOnlyColors(painted)).toBe('\u001B[32mok\u001B[0m')
    expect(applyCarriageReturns('10%\r50%\r100%\r')).toBe('100%')
  })

  it('shows control characters from the model instead of letting them act on the terminal', () => {
    expect(showControls('rm -rf /\u001B[2K\rls')).toBe('rm -rf /\\e[2Kls')
    expect(showControls('a\tb\r\nc\u0007\u009B')).toBe('a b\nc\\x07\\x9b')
    expect(showControls('plain 日本\n')).toBe('plain 日本\n')
  })
})
