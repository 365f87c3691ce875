// The prompt's editing keys, multi-line input, history browsing, and how the text lays out on screen rows.
import {describe, expect, it} from 'vitest'

import type {Key} from './keys.js'
import {LineEditor, PromptHistory, layoutEditor} from './line-editor.js'

const text = (value: string): Key => ({type: 'text', text: value})
const key = (name: string): Key => ({type: 'key', name})

function type(editor: LineEditor, ...keys: (Key | string)[]): string[] {
  return keys.map((k) => editor.handle(typeof k === 'string' ? text(k) : k))
}

describe('LineEditor', () => {
  it('inserts at the cursor, moves by character and word, deletes and kills', () => {
    const editor = new LineEditor()
    type(editor, 'hello world', key('ctrl+left'), 'big ', key('home'), '> ', key('end'))
    expect(editor.text).toBe('> hello big world')
    type(editor, key('ctrl+w'))
    expect(editor.text).toBe('> hello big ')
    type(editor, key('left'), key('left'), key('backspace'), key('delete'))
    expect(editor.text).toBe('> hello b ')
    type(editor, key('ctrl+a'), key('ctrl+k'))
    expect(editor.text).toBe('')
    expect(type(editor, key('backspace'))).toEqual(['ignored'])
  })

  it('Enter submits; a trailing backslash, Ctrl+J and Alt+Enter make a new line instead', () => {
    const editor = new LineEditor()
    expect(type(editor, 'first\\', key('enter'))).toEqual(['changed', 'changed'])
    type(editor, 'second', key('ctrl+j'), 'third', key('alt+enter'), 'fourth')
    expect(editor.text).toBe('first\nsecond\nthird\nfourth')
    expect(type(editor, key('enter'))).toEqual(['submit'])
  })

  it('up/down move between lines of a multi-line text before they browse the history', () => {
    const history = new PromptHistory(['old one', 'old two'])
    const editor = new LineEditor(history)
    type(editor, 'ab', key('ctrl+j'), 'cdef')
    expect(editor.position()).toEqual({row: 1, col: 4})
    type(editor, key('up'))
    expect(editor.position()).toEqual({row: 0, col: 2})
    type(editor, key('up'))
    expect(editor.text).toBe('old two')
    type(editor, key('up'), key('up'))
    expect(editor.text).toBe('old one')
    type(editor, key('down'), key('down'))
    expect(editor.text).toBe('ab\ncdef')
  })

  it('moves over and deletes an emoji, a joined emoji or a flag as one character', () => {
    const editor = new LineEditor()
    type(editor, 'a🚀👩‍💻🇫🇷b')
    type(editor, key('left'), key('left'))
    expect(editor.cursor).toBe('a🚀👩‍💻'.length)
    type(editor, key('backspace'))
    expect(editor.text).toBe('a🚀🇫🇷b')
    type(editor, key('delete'))
    expect(editor.text).toBe('a🚀b')
    type(editor, key('left'), key('backspace'))
    expect(editor.text).toBe('🚀b')
  })

  it('shows a large paste as [pasted N lines], removes it whole, and sends it in full', () => {
    const editor = new LineEditor()
    const block = Array.from({length: 12}, (_, i) => `line ${i + 1}`).join('\n')
    type(editor, 'explain ', {type: 'paste', text: block}, ' please')
    expect(editor.text).toBe('explain [pasted 12 lines] please')
    expect(editor.value).toBe(`explain ${block} please`)
    // A second paste of the same size gets its own label; a small paste is inserted as it is.
    type(editor, {type: 'paste', text: block.toUpperCase()}, {type: 'paste', text: 'a\nb'})
    expect(editor.text).toBe('explain [pasted 12 lines] please[pasted 12 lines #2]a\nb')
    type(editor, key('backspace'), key('backspace'), key('backspace'), key('backspace'))
    expect(editor.text).toBe('explain [pasted 12 lines] please')
    type(editor, key('ctrl+a'), key('alt+f'), key('right'), key('delete'))
    expect(editor.text).toBe('explain  please')
    type(editor, key('ctrl+e'), key('ctrl+u'), {type: 'paste', text: block})
    const sent = editor.take()
    expect(sent).toMatchObject({text: block, shown: '[pasted 12 lines]'})
    expect(editor.text).toBe('')
    // Taken back into the editor (a queued message), the label still stands for the paste.
    editor.restore([sent])
    expect(editor.value).toBe(block)
  })

  it('drops control characters from a paste, so an escape sequence in it cannot act on the terminal', () => {
    const editor = new LineEditor()
    type(editor, {type: 'paste', text: 'ok\u001B]52;c;ZXZpbA==\u0007\u001B[2J\tend\nnext\r'})
    expect(editor.text).toBe('ok]52;c;ZXZpbA==[2J  end\nnext')
  })

  it('history skips blanks and repeats, and keeps the newest entries', () => {
    const history = new PromptHistory([], 3)
    for (const entry of ['a', 'a', ' ', 'b', 'c', 'd']) history.add(entry)
    expect(history.all).toEqual(['b', 'c', 'd'])
  })
})

describe('layoutEditor', () => {
  it('puts the prompt before the first line, indents the others and wraps long lines', () => {
    const layout = layoutEditor('abcdefgh\nxy', 11, 6)
    expect(layout.rows).toEqual(['> abcd', '  efgh', '  xy'])
    expect(layout).toMatchObject({cursorRow: 2, cursorCol: 4})
  })

  it('counts wide characters twice and keeps the cursor on screen at the end of a full row', () => {
    expect(layoutEditor('日本語', 3, 8)).toEqual({rows: ['> 日本語'], cursorRow: 0, cursorCol: 7})
    expect(layoutEditor('abcd', 4, 6)).toEqual({rows: ['> abcd'], cursorRow: 0, cursorCol: 5})
    expect(layoutEditor('', 0, 10)).toEqual({rows: ['> '], cursorRow: 0, cursorCol: 2})
  })

  it('puts the cursor after 🚀 ✅ ⚡ two columns each, and wraps them whole', () => {
    expect(layoutEditor('🚀✅⚡', 'x🚀✅⚡'.length - 1, 20)).toMatchObject({cursorRow: 0, cursorCol: 8})
    expect(layoutEditor('🚀✅⚡', '🚀'.length, 20)).toMatchObject({cursorCol: 4})
    // Room for 5 columns after the prompt: two emoji (4 columns) fit, the third starts the next row.
    const layout = layoutEditor('🚀✅⚡x', '🚀✅⚡'.length, 7)
    expect(layout.rows).toEqual(['> 🚀✅', '  ⚡x'])
    expect(layout).toMatchObject({cursorRow: 1, cursorCol: 4})
  })
})
