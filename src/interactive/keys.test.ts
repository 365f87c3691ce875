// Key decoding: text runs, control keys, CSI/SS3 sequences with modifiers, split sequences, lone ESC, bracketed paste.
import {describe, expect, it} from 'vitest'

import {KeyDecoder} from './keys.js'

const key = (name: string) => ({type: 'key', name})

describe('KeyDecoder', () => {
  it('groups typed text and names control keys', () => {
    const decoder = new KeyDecoder()
    expect(decoder.push('héllo wörld')).toEqual([{type: 'text', text: 'héllo wörld'}])
    expect(decoder.push('ab\r\u0003\u0004\u007F\t\n')).toEqual([
      {type: 'text', text: 'ab'},
      key('enter'),
      key('ctrl+c'),
      key('ctrl+d'),
      key('backspace'),
      key('tab'),
      key('ctrl+j'),
    ])
    expect(decoder.push('\u0006')).toEqual([key('ctrl+f')])
  })

  it('decodes arrows, Home/End, Delete, Shift+Tab and modified keys in CSI and SS3 forms', () => {
    const decoder = new KeyDecoder()
    expect(decoder.push('\u001B[A\u001B[B\u001BOC\u001BOD\u001B[H\u001B[4~\u001B[3~\u001B[Z')).toEqual([
      key('up'),
      key('down'),
      key('right'),
      key('left'),
      key('home'),
      key('end'),
      key('delete'),
      key('shift+tab'),
    ])
    expect(decoder.push('\u001B[1;5D\u001B[1;3C\u001B[13;2u\u001B\r\u001Bb\u001B\u007F')).toEqual([
      key('ctrl+left'),
      key('alt+right'),
      key('shift+enter'),
      key('alt+enter'),
      key('alt+b'),
      key('alt+backspace'),
    ])
  })

  it('completes a sequence split across reads, and turns a lone ESC into escape only on flush', () => {
    const decoder = new KeyDecoder()
    expect(decoder.push('x\u001B[')).toEqual([{type: 'text', text: 'x'}])
    expect(decoder.waiting).toBe(true)
    expect(decoder.push('1;5C')).toEqual([key('ctrl+right')])
    expect(decoder.push('\u001B')).toEqual([])
    expect(decoder.flush()).toEqual([key('escape')])
    expect(decoder.waiting).toBe(false)
  })

  it('delivers a bracketed paste as one event with its newlines, even split across reads', () => {
    const decoder = new KeyDecoder()
    expect(decoder.push('\u001B[200~line one\r\nline')).toEqual([])
    expect(decoder.push(' two\u001B[20')).toEqual([])
    expect(decoder.push('1~!')).toEqual([
      {type: 'paste', text: 'line one\nline two'},
      {type: 'text', text: '!'},
    ])
  })
})
