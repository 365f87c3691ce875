// Streamed markdown rendered block by block with the real libraries, held back while they load, plain without them.
import {describe, expect, it} from 'vitest'

import {MarkdownStream} from './markdown-stream.js'
import {loadMarkdownRenderer, type MarkdownRenderer} from './markdown-terminal.js'

// eslint-disable-next-line no-control-regex -- colour codes are removed to read the text
const plain = (text: string) => text.replace(/\u001B\[[0-9;]*m/g, '')

describe('MarkdownStream', () => {
  it('renders each block once complete: no raw markers, a drawn table, code without its fence', async () => {
    const render = await loadMarkdownRenderer(60)
    let printed = ''
    const stream = new MarkdownStream(
      (text) => (printed += text),
      () => render,
    )
    const reply =
      'Some **bold** and *italic*.\n\n- one\n- two\n\n```ts\nconst a = 1\n```\n\n| k | v |\n|---|---|\n| x | 1 |\n'
    // Delivered in small pieces, as a model streams it.
    for (let at = 0; at < reply.length; at += 7) {
      stream.push(reply.slice(at, at + 7))
      // Every printed piece is whole lines: a partial line never reaches the scrollback.
      expect(printed === '' || printed.endsWith('\n')).toBe(true)
    }
    expect(plain(printed)).toContain('Some bold and italic.')
    expect(stream.open).toBe('| k | v |\n|---|---|\n| x | 1 |\n')
    stream.end()
    const text = plain(printed)
    expect(text).not.toMatch(/\*\*|```|\|---/)
    expect(text).toMatch(/\* one\n\s+\* two/)
    expect(text).toContain('const a = 1')
    expect(text).toMatch(/┌─+┬─+┐\n│ k +│ v +│/)
    expect(stream.open).toBe('')
  })

  it('holds complete blocks while the renderer loads, and prints the text as it came without one', () => {
    let state: MarkdownRenderer | 'loading' | undefined = 'loading'
    let printed = ''
    const stream = new MarkdownStream(
      (text) => (printed += text),
      () => state,
    )
    stream.push('first **block**\n\nsecond')
    expect(printed).toBe('')
    expect(stream.open).toBe('first **block**\n\nsecond')
    state = (markdown) => `<${markdown.trim()}>`
    stream.resume()
    expect(printed).toBe('<first **block**>\n')
    state = undefined
    stream.push(' block\n')
    stream.end()
    expect(printed).toBe('<first **block**>\n\nsecond block\n')
  })
})
