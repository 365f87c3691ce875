// The prompt's text editing: a multi-line buffer with a cursor, Emacs-style keys, and history browsing with up/down.
import type {Key} from './keys.js'
import {PastedBlocks} from './pasted-blocks.js'
import {graphemes, visibleWidth, wrapLine} from '../output/text-width.js'

// eslint-disable-next-line no-control-regex -- control characters are what pastes must not carry into the prompt
const PASTE_CONTROLS = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g

/** What a key did to the editor: changed it, asked to submit, or was not an editing key. */
export type EditResult = 'changed' | 'submit' | 'ignored'

/** A finished message: what is sent (pastes in full) and what was shown (pastes as labels). */
export interface Submission {
  text: string
  shown: string
  pastes: ReadonlyMap<string, string>
}

/** Browses earlier entries; the text being written is kept as a draft while browsing. */
export class PromptHistory {
  private index: number
  private draft = ''

  constructor(
    private readonly entries: string[] = [],
    private readonly max = 500,
  ) {
    this.index = entries.length
  }

  get all(): readonly string[] {
    return this.entries
  }

  /** Adds an entry (not a repeat of the last one) and ends browsing. */
  add(entry: string): void {
    if (entry.trim() !== '' && this.entries.at(-1) !== entry) this.entries.push(entry)
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max)
    this.index = this.entries.length
    this.draft = ''
  }

  /** The entry before the one shown (undefined at the oldest). */
  previous(current: string): string | undefined {
    if (this.index === 0) return undefined
    if (this.index === this.entries.length) this.draft = current
    this.index -= 1
    return this.entries[this.index]
  }

  /** The entry after the one shown, or the draft once past the newest (undefined when not browsing). */
  next(): string | undefined {
    if (this.index >= this.entries.length) return undefined
    this.index += 1
    return this.index === this.entries.length ? this.draft : this.entries[this.index]
  }

  reset(): void {
    this.index = this.entries.length
    this.draft = ''
  }
}

export class LineEditor {
  text = ''
  /** Index into `text` (UTF-16 units, always on a grapheme boundary). */
  cursor = 0

  private readonly pastes = new PastedBlocks()

  constructor(readonly history: PromptHistory = new PromptHistory()) {}

  set(text: string, cursor = text.length): void {
    this.text = text
    this.cursor = Math.max(0, Math.min(cursor, text.length))
  }

  clear(): void {
    this.set('')
    this.pastes.clear()
    this.history.reset()
  }

  /** The message as it will be sent (large pastes put back in full). */
  get value(): string {
    return this.pastes.expand(this.text)
  }

  /** Takes the message out of the editor, which is left empty. */
  take(): Submission {
    const submission = {text: this.value, shown: this.text, pastes: this.pastes.usedIn(this.text)}
    this.clear()
    return submission
  }

  /** Puts messages back to be edited (queued ones taken back), before what is being written. */
  restore(submissions: readonly Submission[]): void {
    for (const submission of submissions) this.pastes.restore(submission.pastes)
    const text = [...submissions.map((submission) => submission.shown), ...(this.text ? [this.text] : [])].join('\n')
    this.set(text)
  }

  insert(text: string): void {
    this.text = this.text.slice(0, this.cursor) + text + this.text.slice(this.cursor)
    this.cursor += text.length
  }

  /** Applies one key. Enter submits, except after a trailing backslash (which becomes a newline). */
  handle(key: Key): EditResult {
    if (key.type === 'text') {
      this.insert(key.text)
      return 'changed'
    }
    if (key.type === 'paste') {
      // Pasted text is drawn in the prompt: control characters (an escape sequence in it) must not act on the terminal.
      const text = key.text.replace(/\t/g, '  ').replace(PASTE_CONTROLS, '')
      this.insert(this.pastes.add(text, this.text) ?? text)
      return 'changed'
    }
    switch (key.name) {
      case 'enter':
        if (this.text.slice(0, this.cursor).endsWith('\\')) {
          this.text = this.text.slice(0, this.cursor - 1) + '\n' + this.text.slice(this.cursor)
          return 'changed'
        }
        return 'submit'
      case 'alt+enter':
      case 'shift+enter':
      case 'ctrl+j':
        this.insert('\n')
        return 'changed'
      case 'backspace':
      case 'ctrl+h':
        return this.deleteBack()
      case 'delete':
        return this.deleteForward()
      case 'left':
      case 'ctrl+b':
        return this.moveTo(this.cursor - this.charBefore().length)
      case 'right':
      case 'ctrl+f':
        return this.moveTo(this.cursor + this.charAt().length)
      case 'home':
      case 'ctrl+a':
        return this.moveTo(this.lineStart())
      case 'end':
      case 'ctrl+e':
        return this.moveTo(this.lineEnd())
      case 'ctrl+left':
      case 'alt+b':
        return this.moveTo(this.wordStartBefore())
      case 'ctrl+right':
      case 'alt+f':
        return this.moveTo(this.wordEndAfter())
      case 'ctrl+w':
      case 'alt+backspace':
        return this.cut(this.wordStartBefore(), this.cursor)
      case 'ctrl+u':
        return this.cut(this.lineStart(), this.cursor)
      case 'ctrl+k':
        return this.cut(this.cursor, this.lineEnd())
      case 'up':
      case 'ctrl+p':
        return this.up()
      case 'down':
      case 'ctrl+n':
        return this.down()
      default:
        return 'ignored'
    }
  }

  /** Row and column of the cursor within the logical lines (no wrapping). */
  position(): {row: number; col: number} {
    const before = this.text.slice(0, this.cursor)
    const row = before.split('\n').length - 1
    return {row, col: this.cursor - (before.lastIndexOf('\n') + 1)}
  }

  /** The character (grapheme: an emoji with its modifiers, a letter with its accent) before the cursor. */
  private charBefore(): string {
    const label = this.pastes.labelBefore(this.text, this.cursor)
    if (label) return label
    return graphemes(this.text.slice(Math.max(0, this.lineStart() - 1), this.cursor)).at(-1) ?? ''
  }

  private charAt(): string {
    const label = this.pastes.labelAt(this.text, this.cursor)
    if (label) return label
    const end = this.text.indexOf('\n', this.cursor + 1)
    return graphemes(this.text.slice(this.cursor, end === -1 ? this.text.length : end + 1))[0] ?? ''
  }

  private moveTo(index: number): EditResult {
    const next = Math.max(0, Math.min(index, this.text.length))
    if (next === this.cursor) return 'ignored'
    this.cursor = next
    return 'changed'
  }

  private cut(from: number, to: number): EditResult {
    if (from >= to) return 'ignored'
    this.text = this.text.slice(0, from) + this.text.slice(to)
    this.cursor = from
    return 'changed'
  }

  private deleteBack(): EditResult {
    const char = this.charBefore()
    return char ? this.cut(this.cursor - char.length, this.cursor) : 'ignored'
  }

  private deleteForward(): EditResult {
    const char = this.charAt()
    return char ? this.cut(this.cursor, this.cursor + char.length) : 'ignored'
  }

  private lineStart(): number {
    return this.text.lastIndexOf('\n', this.cursor - 1) + 1
  }

  private lineEnd(): number {
    const end = this.text.indexOf('\n', this.cursor)
    return end === -1 ? this.text.length : end
  }

  private wordStartBefore(): number {
    let i = this.cursor
    while (i > 0 && /\s/.test(this.text[i - 1] as string)) i--
    while (i > 0 && !/\s/.test(this.text[i - 1] as string)) i--
    return i
  }

  private wordEndAfter(): number {
    let i = this.cursor
    while (i < this.text.length && /\s/.test(this.text[i] as string)) i++
    while (i < this.text.length && !/\s/.test(this.text[i] as string)) i++
    return i
  }

  /** Up moves within a multi-line text; from its first line it recalls the previous history entry. */
  private up(): EditResult {
    const {row, col} = this.position()
    if (row > 0) {
      const lines = this.text.split('\n')
      const start = lines.slice(0, row - 1).reduce((sum, line) => sum + line.length + 1, 0)
      return this.moveTo(start + Math.min(col, (lines[row - 1] as string).length))
    }
    const entry = this.history.previous(this.text)
    if (entry === undefined) return 'ignored'
    this.set(entry)
    return 'changed'
  }

  private down(): EditResult {
    const {row, col} = this.position()
    const lines = this.text.split('\n')
    if (row < lines.length - 1) {
      const start = lines.slice(0, row + 1).reduce((sum, line) => sum + line.length + 1, 0)
      return this.moveTo(start + Math.min(col, (lines[row + 1] as string).length))
    }
    const entry = this.history.next()
    if (entry === undefined) return 'ignored'
    this.set(entry)
    return 'changed'
  }
}

export interface EditorLayout {
  rows: string[]
  cursorRow: number
  cursorCol: number
}

/**
 * The editor as screen rows of at most `width` columns: `prompt` before the first line, `indent` before the others,
 * long lines wrapped; and where the cursor sits among those rows.
 */
export function layoutEditor(text: string, cursor: number, width: number, prompt = '> ', indent = '  '): EditorLayout {
  const promptWidth = visibleWidth(prompt)
  const room = Math.max(1, width - promptWidth)
  const rows: string[] = []
  let cursorRow = 0
  let cursorCol = promptWidth
  let offset = 0
  for (const [i, line] of text.split('\n').entries()) {
    const pieces = wrapLine(line, room)
    const lead = i === 0 ? prompt : indent
    let pieceStart = offset
    for (const [j, piece] of pieces.entries()) {
      const pieceEnd = pieceStart + piece.length
      const last = j === pieces.length - 1
      if (cursor >= pieceStart && (cursor < pieceEnd || (last && cursor <= pieceEnd))) {
        const before = text.slice(pieceStart, cursor)
        const col = promptWidth + visibleWidth(before)
        // A cursor right after a full row stays on its last column (as terminals show a pending wrap).
        cursorRow = rows.length
        cursorCol = Math.min(col, width - 1)
      }
      rows.push((j === 0 ? lead : ' '.repeat(promptWidth)) + piece)
      pieceStart = pieceEnd
    }
    offset += line.length + 1
  }
  return {rows, cursorRow, cursorCol}
}
