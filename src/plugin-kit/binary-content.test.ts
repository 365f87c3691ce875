// The text/binary rule on its edge cases: NUL bytes, UTF-8 against Latin-1, empty files, BOMs, control bytes, cut samples.
import {describe, expect, it} from 'vitest'

import {BINARY_SAMPLE_BYTES, isBinaryContent} from './binary-content.js'

const bytes = (...values: number[]): Buffer => Buffer.from(values)

describe('isBinaryContent', () => {
  it('calls an empty file text', () => {
    expect(isBinaryContent(Buffer.alloc(0))).toBe(false)
  })

  it('calls ASCII and UTF-8 text (accents, CJK, emoji) text', () => {
    expect(isBinaryContent(Buffer.from('const a = 1\n\tb\r\n'))).toBe(false)
    expect(isBinaryContent(Buffer.from('café, naïve, 漢字, 🚀 ✅\n'))).toBe(false)
  })

  it('calls any NUL byte in the first 8 KiB binary, and one past them not', () => {
    expect(isBinaryContent(bytes(0x89, 0x50, 0x4e, 0x47, 0, 1))).toBe(true)
    expect(isBinaryContent(Buffer.from('text\0text'))).toBe(true)
    const late = Buffer.concat([Buffer.alloc(BINARY_SAMPLE_BYTES, 'a'), bytes(0)])
    expect(isBinaryContent(late)).toBe(false)
  })

  it('calls Latin-1 text binary: it is not UTF-8', () => {
    expect(isBinaryContent(Buffer.from('café naïve\n', 'latin1'))).toBe(true)
    expect(isBinaryContent(bytes(0x61, 0xe9, 0x62))).toBe(true)
  })

  it('calls a UTF-8 BOM text and UTF-16 / UTF-32 (with or without a BOM) binary', () => {
    expect(isBinaryContent(Buffer.concat([bytes(0xef, 0xbb, 0xbf), Buffer.from('hello\n')]))).toBe(false)
    expect(isBinaryContent(bytes(0xef, 0xbb, 0xbf))).toBe(false)
    expect(isBinaryContent(Buffer.concat([bytes(0xff, 0xfe), Buffer.from('hi', 'utf16le')]))).toBe(true)
    expect(isBinaryContent(Buffer.concat([bytes(0xfe, 0xff), Buffer.from('hi', 'utf16le').swap16()]))).toBe(true)
    expect(isBinaryContent(bytes(0xff, 0xfe))).toBe(true)
    expect(isBinaryContent(bytes(0xff, 0xfe, 0, 0, 0x68, 0, 0, 0))).toBe(true)
    expect(isBinaryContent(Buffer.from('hi', 'utf16le'))).toBe(true)
  })

  it('calls a sample of mostly control bytes binary, and tabs, newlines and form feeds text', () => {
    expect(isBinaryContent(bytes(1, 2, 3, 0x61, 27, 27))).toBe(true)
    expect(isBinaryContent(Buffer.from('a\tb\n\f\r\x0b\x07\x08\n\n\n'))).toBe(false)
    expect(isBinaryContent(Buffer.from('\x1b[31mred\x1b[0m\n'))).toBe(false)
  })

  it('accepts a multi-byte character cut by the end of the sample, not one cut by the end of the file', () => {
    const rocket = Buffer.from('🚀')
    for (let keep = 1; keep < rocket.length; keep++) {
      const head = Buffer.concat([Buffer.alloc(BINARY_SAMPLE_BYTES - keep, 'a'), rocket])
      expect(isBinaryContent(head)).toBe(false)
      expect(isBinaryContent(Buffer.concat([Buffer.from('a'), rocket.subarray(0, keep)]))).toBe(true)
    }
  })

  it('does not let an invalid byte in the middle pass as a cut sequence', () => {
    const middle = Buffer.concat([Buffer.alloc(100, 'a'), bytes(0xe9), Buffer.alloc(BINARY_SAMPLE_BYTES, 'a')])
    expect(isBinaryContent(middle)).toBe(true)
    const stray = Buffer.concat([Buffer.alloc(BINARY_SAMPLE_BYTES - 1, 'a'), bytes(0x80), Buffer.from('more')])
    expect(isBinaryContent(stray)).toBe(true)
  })
})
