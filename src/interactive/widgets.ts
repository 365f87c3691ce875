// Small input widgets shown in the live region in place of the prompt: a choice list and a one-line question.
import type {Key} from './keys.js'
import {LineEditor, layoutEditor} from './line-editor.js'
import type {Style} from '../output/style.js'
import {wrapText} from '../output/text-width.js'

export interface WidgetView {
  lines: string[]
  cursor?: {row: number; col: number}
}

export interface Widget {
  view(width: number): WidgetView
  key(key: Key): void
  /** Ctrl-C while the widget is shown; return true when the widget handled it (else the app does). */
  interrupt?(): boolean
}

export interface Choice<T> {
  /** The letter that picks it at once. */
  key: string
  label: string
  value: T
}

/** A list of choices: its letter or number picks one, up/down + Enter too; Escape picks `escapeValue` when given. */
export class ChoiceWidget<T> implements Widget {
  private selected = 0

  constructor(
    private readonly style: Style,
    private readonly title: string,
    private readonly choices: readonly Choice<T>[],
    private readonly done: (value: T) => void,
    private readonly options: {escapeValue?: T; interruptValue?: T} = {},
  ) {}

  view(width: number): WidgetView {
    const {bold, cyan, dim} = this.style
    const lines = wrapText(this.title, width).map((line) => bold(line))
    for (const [i, choice] of this.choices.entries()) {
      const marker = i === this.selected ? cyan('›') : ' '
      const label = `${i + 1}. ${choice.label} ${dim(`(${choice.key})`)}`
      lines.push(`${marker} ${i === this.selected ? cyan(label) : label}`)
    }
    return {lines}
  }

  key(key: Key): void {
    if (key.type !== 'key') {
      if (key.type === 'text') {
        const typed = key.text.trim().toLowerCase()
        const byKey = this.choices.find((choice) => choice.key === typed)
        const byNumber = /^\d$/.test(typed) ? this.choices[Number(typed) - 1] : undefined
        const picked = byKey ?? byNumber
        if (picked) this.done(picked.value)
      }
      return
    }
    switch (key.name) {
      case 'up':
      case 'shift+tab':
        this.selected = (this.selected + this.choices.length - 1) % this.choices.length
        break
      case 'down':
      case 'tab':
        this.selected = (this.selected + 1) % this.choices.length
        break
      case 'enter':
        this.done((this.choices[this.selected] as Choice<T>).value)
        break
      case 'escape':
        if ('escapeValue' in this.options) this.done(this.options.escapeValue as T)
        break
    }
  }

  interrupt(): boolean {
    if (!('interruptValue' in this.options)) return false
    this.done(this.options.interruptValue as T)
    return true
  }
}

/** One line of free text (Enter answers, Escape answers empty). */
export class QuestionWidget implements Widget {
  private readonly editor = new LineEditor()

  constructor(
    private readonly style: Style,
    private readonly question: string,
    private readonly done: (answer: string) => void,
  ) {}

  view(width: number): WidgetView {
    const title = wrapText(this.question, width).map((line) => this.style.bold(line))
    const layout = layoutEditor(this.editor.text, this.editor.cursor, width, '› ', '  ')
    return {
      lines: [...title, ...layout.rows],
      cursor: {row: title.length + layout.cursorRow, col: layout.cursorCol},
    }
  }

  key(key: Key): void {
    if (key.type === 'key' && key.name === 'escape') return this.done('')
    if (key.type === 'key' && (key.name === 'up' || key.name === 'down')) return
    if (this.editor.handle(key) === 'submit') this.done(this.editor.text.trim())
  }
}
