// Terminal text made safe: escape sequences, control characters and carriage returns.
import {describe, expect, it} from 'vitest'

import {
  applyCarriageReturns,
  cleanOutput,
  keepOnlyColors,
  renderOutputLine,
  showControls,
  splitCutEscape,
  stripAnsi,
} from './terminal-text.js'

describe('terminal text', () => {
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

  it('cleans command output of every control character that would act on the terminal', () => {
    const all = Array.from({length: 0xa0}, (_, code) => String.fromCharCode(code)).join('')
    // Only printable ASCII is left, plus what renderOutputLine turns into text: backspace, tab, newline, return.
    const left = cleanOutput(all, false)
    expect(left).toBe(`\b\t\n\r${all.slice(0x20, 0x7f)}`)
    expect(cleanOutput(all, true)).toBe(left)
    // ESC c is a whole sequence (reset the terminal): it goes with its letter.
    expect(cleanOutput('a\u0007b\u001Bc\u007Fd\u009Be', false)).toBe('abde')
    expect(cleanOutput('a\u0007b\u001B\u007Fd\u009Be', false)).toBe('abde')
    // Colours stay only when asked for; a lone escape character never does.
    expect(cleanOutput('\u001B[31mred\u001B[0m \u001B', true)).toBe('\u001B[31mred\u001B[0m ')
    expect(cleanOutput('\u001B[31mred\u001B[0m', false)).toBe('red')
  })

  it('renders carriage returns, backspaces and tabs of a line as plain text', () => {
    expect(renderOutputLine('10%\r50%\r100%')).toBe('100%')
    expect(renderOutputLine('\u001B[33m10%\r100%')).toBe('\u001B[33m100%')
    expect(renderOutputLine('_\bb_\bo_\bl_\bd')).toBe('bold')
    expect(renderOutputLine('abc\b\bX')).toBe('aX')
    expect(renderOutputLine('\b\bstart')).toBe('start')
    expect(renderOutputLine('\u001B[31mx\u001B[0m\by')).toBe('\u001B[31m\u001B[0my')
    expect(renderOutputLine('a\tb\t日本\tc')).toBe('a       b       日本    c')
    expect(renderOutputLine('plain')).toBe('plain')
  })

  it('holds back an escape sequence cut at the end of a chunk', () => {
    expect(splitCutEscape('ok \u001B[3')).toEqual(['ok ', '\u001B[3'])
    expect(splitCutEscape('ok \u001B')).toEqual(['ok ', '\u001B'])
    expect(splitCutEscape('ok \u001B]0;title')).toEqual(['ok ', '\u001B]0;title'])
    expect(splitCutEscape('ok \u001B]0;title\u001B')).toEqual(['ok ', '\u001B]0;title\u001B'])
    expect(splitCutEscape('\u001B[31mok \u001B[')).toEqual(['\u001B[31mok ', '\u001B['])
    expect(splitCutEscape('ok \u001B[31m')).toEqual(['ok \u001B[31m', ''])
    expect(splitCutEscape('ok \u001B and more')).toEqual(['ok \u001B and more', ''])
    expect(splitCutEscape('plain')).toEqual(['plain', ''])
  })
})
