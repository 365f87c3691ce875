// The screen model: finished output is appended above (the terminal's own scrollback), and a few live lines at the
// bottom are redrawn in place with cursor movement, rewriting only the lines that changed.
import {truncate, visibleWidth} from '../output/text-width.js'
import {HIDE_CURSOR, SHOW_CURSOR} from './terminal-modes.js'

const ESC = '\u001B['
const up = (n: number) => (n > 0 ? `${ESC}${n}A` : '')
const down = (n: number) => (n > 0 ? `${ESC}${n}B` : '')
const right = (n: number) => (n > 0 ? `${ESC}${n}C` : '')
const CLEAR_LINE_END = `${ESC}K`
const CLEAR_BELOW = `${ESC}J`

export interface LiveFrame {
  lines: string[]
  /** Where to put the visible cursor (the prompt's caret); absent: hidden. */
  cursor?: {row: number; col: number}
}

/**
 * Invariants: every live line is cut to `columns - 1` so it never wraps; the terminal cursor is on row `row` of the
 * region (0 = its first line). The region starts on the row where the cursor was when it was created.
 */
export class LiveRegion {
  private previous: string[] = []
  private row = 0
  private frame: LiveFrame = {lines: []}
  private cursorShown = true

  constructor(
    private readonly write: (text: string) => void,
    private columns: number,
    private rows = 24,
  ) {}

  get width(): number {
    return Math.max(1, this.columns - 1)
  }

  get height(): number {
    return this.rows
  }

  /** The frame last drawn (or to be drawn). */
  get current(): LiveFrame {
    return this.frame
  }

  /** Draws `frame`, writing only the lines that differ from what is on screen. */
  render(frame: LiveFrame): void {
    this.write(this.draw(frame))
  }

  /** Appends finished output above the live lines (which are redrawn below it), in one write. */
  print(text: string, frame: LiveFrame = this.frame): void {
    if (text === '') return this.render(frame)
    let out = this.erase()
    // \r\n, not \n: finished lines must start at column 0 whatever the terminal's output settings.
    out += (text.endsWith('\n') ? text : `${text}\n`).replace(/\r?\n/g, '\r\n')
    this.write(out + this.draw(frame))
  }

  /** Removes the live lines from the screen; the cursor ends where the region started. */
  clear(): void {
    this.write(this.erase())
  }

  /** Forgets the region without touching the screen (after something else drew there, e.g. a focused program). */
  detach(): void {
    this.previous = []
    this.row = 0
  }

  /** New terminal size: erases what the old lines may occupy after the terminal re-wrapped them, then redraws. */
  resize(columns: number, rows: number): void {
    const rowsOf = (line: string) => Math.max(1, Math.ceil(visibleWidth(line) / Math.max(1, columns)))
    let above = 0
    for (const line of this.previous.slice(0, this.row)) above += rowsOf(line)
    this.columns = columns
    this.rows = rows
    const out = `${HIDE_CURSOR}${up(above)}\r${CLEAR_BELOW}`
    this.previous = []
    this.row = 0
    this.write(out + this.draw(this.frame))
  }

  private erase(): string {
    const out = `${this.cursorShown ? HIDE_CURSOR : ''}${up(this.row)}\r${CLEAR_BELOW}`
    this.cursorShown = false
    this.previous = []
    this.row = 0
    return out
  }

  private draw(frame: LiveFrame): string {
    this.frame = frame
    const width = this.width
    const maxLines = Math.max(1, this.rows - 1)
    let lines = frame.lines.map((line) => truncate(line, width))
    let cursor = frame.cursor
    if (lines.length > maxLines) {
      // Too tall for the terminal: keep the bottom (the prompt and status line are there).
      const cut = lines.length - maxLines
      lines = lines.slice(cut)
      cursor = cursor && cursor.row >= cut ? {row: cursor.row - cut, col: cursor.col} : undefined
    }
    const previous = this.previous
    let existing = Math.max(1, previous.length)
    let row = this.row
    let out = ''
    const goTo = (target: number) => {
      if (target < row) out += up(row - target)
      else if (target > row) {
        const within = Math.max(0, Math.min(target, existing - 1) - row)
        out += down(within)
        // Rows that do not exist yet are made by line feeds (which scroll at the bottom of the screen).
        out += '\n'.repeat(target - row - within)
        existing = Math.max(existing, target + 1)
      }
      row = target
      out += '\r'
    }
    for (const [i, line] of lines.entries()) {
      if (line === previous[i] && i < previous.length) continue
      goTo(i)
      out += line + CLEAR_LINE_END
    }
    if (previous.length > lines.length) {
      goTo(lines.length === 0 ? 0 : lines.length)
      out += CLEAR_BELOW
      existing = Math.max(1, lines.length)
      if (lines.length > 0) {
        out += up(1)
        row -= 1
      }
    }
    if (cursor && cursor.row < lines.length) {
      goTo(cursor.row)
      out += right(Math.min(cursor.col, width))
      if (!this.cursorShown) out += SHOW_CURSOR
      this.cursorShown = true
    } else {
      goTo(Math.max(0, lines.length - 1))
      if (lines.length > 0) out += right(visibleWidth(lines.at(-1) as string))
      if (this.cursorShown) out = HIDE_CURSOR + out
      this.cursorShown = false
    }
    this.previous = lines
    this.row = row
    return out
  }
}
