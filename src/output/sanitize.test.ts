// The one sanitiser: no escape sequence or control character from the sandbox or the model acts on a terminal.
import {describe, expect, it} from 'vitest'

import {keepOnlyColors, safeLine, showControls, stripAnsi} from './sanitize.js'

const OSC52 = '\u001B]52;c;cm0gLXJmIH4qKg+=\u0007'
const ERASE_UP = '\u001B[2K\u001B[1A'

/** True when the text holds a character that a terminal acts on (C0 except newline and tab, DEL, C1). */
// eslint-disable-next-line no-control-regex -- control characters are what must not get through
const acts = (text: string) => /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/.test(text)

describe('stripAnsi', () => {
  it('removes clipboard writes with base64 payloads, titles ended by ST, line erasing and 8-bit CSI', () => {
    expect(stripAnsi(`a${OSC52}b`)).toBe('ab')
    expect(stripAnsi('a\u001B]0;title\u001B\\b')).toBe('ab')
    expect(stripAnsi(`a${ERASE_UP}b`)).toBe('ab')
    expect(stripAnsi('a\u009B31mb')).toBe('ab')
    expect(stripAnsi('a\u001BPq#0;2;0;0;0\u001B\\b')).toBe('ab')
  })

  it('keeps only colours when asked', () => {
    expect(keepOnlyColors(`\u001B[31mred\u001B[0m${OSC52}${ERASE_UP}`)).toBe('\u001B[31mred\u001B[0m')
  })
})

describe('showControls', () => {
  it('shows every control character of a name instead of sending it, newlines included', () => {
    const name = `notes${OSC52}${ERASE_UP}\nA forged.txt\r\u0007\u009B`
    const shown = safeLine(name)
    expect(acts(shown)).toBe(false)
    expect(shown).not.toContain('\n')
    expect(shown).toBe('notes\\e]52;c;cm0gLXJmIH4qKg+=\\x07\\e[2K\\e[1A\\nA forged.txt\\r\\x07\\x9b')
  })

  it('keeps newlines of multi-line text, and nothing else that acts', () => {
    const all = Array.from({length: 0xa0}, (_, code) => String.fromCharCode(code)).join('')
    const shown = showControls(all)
    expect(acts(shown)).toBe(false)
    expect(shown.split('\n')).toHaveLength(2)
  })
})
