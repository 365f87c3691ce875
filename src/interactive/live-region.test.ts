// The live region on a small emulated terminal: output lands above, live lines stay at the bottom, only changed lines
/* eslint-disable no-control-regex -- the fake terminal parses escape sequences */
// are rewritten, shrinking clears leftovers, tall frames keep their bottom, and a resize redraws cleanly.
import {describe, expect, it} from 'vitest'

import {LiveRegion} from './live-region.js'

/** Just enough of a VT100 for what LiveRegion writes: text, CR, LF (scrolling), CUU/CUD/CUF, EL, ED, cursor show/hide. */
class FakeTerminal {
  screen: string[]
  scrollback: string[] = []
  row = 0
  col = 0
  cursorVisible = true
  writes: string[] = []

  constructor(
    public cols: number,
    public rows: number,
  ) {
    this.screen = Array.from({length: rows}, () => '')
  }

  write = (data: string): void => {
    this.writes.push(data)
    let i = 0
    while (i < data.length) {
      const ch = data[i] as string
      if (ch === '\u001B') {
        const match = /^\u001B\[(\??)(\d*)([A-Za-z])/.exec(data.slice(i))
        if (!match) throw new Error(`unexpected escape ${JSON.stringify(data.slice(i, i + 8))}`)
        const [whole, privateMode, num, final] = match
        const n = num === '' ? 1 : Number(num)
        if (privateMode) this.cursorVisible = final === 'h'
        else if (final === 'A') this.row = Math.max(0, this.row - n)
        else if (final === 'B') this.row = Math.min(this.rows - 1, this.row + n)
        else if (final === 'C') this.col = Math.min(this.cols - 1, this.col + n)
        else if (final === 'K') this.screen[this.row] = (this.screen[this.row] as string).slice(0, this.col)
        else if (final === 'J') {
          this.screen[this.row] = (this.screen[this.row] as string).slice(0, this.col)
          for (let r = this.row + 1; r < this.rows; r++) this.screen[r] = ''
        } else if (final !== 'm') throw new Error(`unsupported CSI ${final}`)
        i += whole.length
        continue
      }
      if (ch === '\r') this.col = 0
      else if (ch === '\n') this.lineFeed()
      else {
        if (this.col >= this.cols) {
          this.col = 0
          this.lineFeed()
        }
        const line = (this.screen[this.row] as string).padEnd(this.col, ' ')
        this.screen[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1)
        this.col += 1
      }
      i += 1
    }
  }

  /** A terminal that re-wraps on resize (tmux, VTE, iTerm2, kitty): long rows split, the cursor moves with its text. */
  resize(cols: number): void {
    const rows: string[] = []
    let cursorRow = 0
    for (const [r, line] of this.screen.entries()) {
      const pieces = line.length === 0 ? [''] : (line.match(new RegExp(`.{1,${cols}}`, 'gu')) ?? [''])
      if (r === this.row) {
        cursorRow = rows.length + Math.min(pieces.length - 1, Math.floor(this.col / cols))
        this.col = this.col % cols
      }
      rows.push(...pieces)
    }
    while (rows.length > this.rows && rows.length - 1 > cursorRow && rows.at(-1) === '') rows.pop()
    while (rows.length > this.rows) {
      this.scrollback.push(rows.shift() as string)
      cursorRow -= 1
    }
    while (rows.length < this.rows) rows.push('')
    this.screen = rows
    this.row = cursorRow
    this.cols = cols
  }

  private lineFeed(): void {
    if (this.row < this.rows - 1) {
      this.row += 1
      return
    }
    this.scrollback.push(this.screen.shift() as string)
    this.screen.push('')
  }

  /** Everything ever shown: scrollback then the screen, trailing empty rows dropped. */
  all(): string[] {
    const lines = [...this.scrollback, ...this.screen]
    while (lines.length > 0 && lines.at(-1) === '') lines.pop()
    return lines
  }
}

describe('LiveRegion', () => {
  it('prints finished output above and redraws the live lines below it', () => {
    const term = new FakeTerminal(20, 6)
    const region = new LiveRegion(term.write, 20, 6)
    region.render({lines: ['working', '> '], cursor: {row: 1, col: 2}})
    region.print('line 1\nline 2\n', {lines: ['still working', '> '], cursor: {row: 1, col: 2}})
    expect(term.all()).toEqual(['line 1', 'line 2', 'still working', '> '])
    expect({row: term.row, col: term.col, visible: term.cursorVisible}).toEqual({row: 3, col: 2, visible: true})
  })

  it('rewrites only the lines that changed', () => {
    const term = new FakeTerminal(30, 8)
    const region = new LiveRegion(term.write, 30, 8)
    region.render({lines: ['✦ The answer', 'Thinking…', 'status: 10 tokens']})
    term.writes = []
    region.render({lines: ['✦ The answer is', 'Thinking…', 'status: 10 tokens']})
    const written = term.writes.join('')
    expect(written).toContain('✦ The answer is')
    expect(written).not.toContain('Thinking')
    expect(written).not.toContain('status')
    expect(term.all()).toEqual(['✦ The answer is', 'Thinking…', 'status: 10 tokens'])
  })

  it('clears leftover rows when the frame shrinks, and scrolls when output reaches the bottom', () => {
    const term = new FakeTerminal(20, 4)
    const region = new LiveRegion(term.write, 20, 4)
    region.render({lines: ['a', 'b', 'c']})
    region.render({lines: ['x']})
    expect(term.screen).toEqual(['x', '', '', ''])
    for (let i = 0; i < 6; i++) region.print(`out ${i}`, {lines: ['live', 'status']})
    expect(term.all()).toEqual(['out 0', 'out 1', 'out 2', 'out 3', 'out 4', 'out 5', 'live', 'status'])
    expect(term.screen.slice(-2)).toEqual(['live', 'status'])
  })

  it('cuts lines to the width and keeps the bottom of a frame taller than the terminal', () => {
    const term = new FakeTerminal(10, 4)
    const region = new LiveRegion(term.write, 10, 4)
    region.render({lines: ['0', '1', '2', '3', '4', 'a very long line here'], cursor: {row: 4, col: 1}})
    expect(term.all()).toEqual(['3', '4', 'a very l…'])
    expect({row: term.row, col: term.col}).toEqual({row: 1, col: 1})
  })

  it('after a resize erases its old lines and draws at the new width', () => {
    const term = new FakeTerminal(20, 6)
    const region = new LiveRegion(term.write, 20, 6)
    region.print('kept output', {lines: ['live line one', 'status'], cursor: {row: 1, col: 0}})
    term.resize(8)
    region.resize(8, 6)
    expect(term.all()).toEqual(['kept out', 'put', 'live l…', 'status'])
  })
})
