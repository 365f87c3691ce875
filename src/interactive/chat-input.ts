// Where a key is handled: terminal input decoded into keys and sent to the focused command, the question shown, or
// the prompt; Ctrl-C, Esc, Shift+Tab and Ctrl+F are decided here, and a finished line is handed to the session.
import {StringDecoder} from 'node:string_decoder'

import type {ChatContext} from './chat-context.js'
import type {ChatOptions} from './chat-options.js'
import {errorMessage} from './chat-errors.js'
import type {CommandFocus} from './command-focus.js'
import {cycleApprovalMode} from './commands/approval-mode.js'
import {appendHistory} from './history-file.js'
import {KeyDecoder, type Key} from './keys.js'
import type {LineEditor, Submission} from './line-editor.js'
import {completeCommand} from './slash-commands.js'
import {ChoiceWidget} from './widgets.js'

export const QUIT = Symbol('quit')
const DOUBLE_PRESS_MS = 2000
const ESCAPE_WAIT_MS = 50

export class ChatInput {
  private readonly keys = new KeyDecoder()
  private readonly utf8 = new StringDecoder('utf8')
  private escapeTimer: NodeJS.Timeout | undefined
  private lastInterrupt = 0
  private lineDone: ((line: Submission | typeof QUIT) => void) | undefined

  constructor(
    private readonly context: {
      options: Pick<ChatOptions, 'logger' | 'historyFile'>
      state: ChatContext['state']
      screen: ChatContext['screen']
    },
    private readonly editor: LineEditor,
    private readonly focus: CommandFocus,
  ) {}

  /** The next message: the first one queued while something ran, or the next typed at the prompt (or QUIT). */
  nextLine(): Promise<Submission | typeof QUIT> {
    const {state, screen} = this.context
    const queued = state.queued.shift()
    if (queued) return Promise.resolve(queued)
    state.phase = 'idle'
    state.activity = ''
    screen.scheduleRender()
    return new Promise((resolve) => {
      this.lineDone = (line) => {
        this.lineDone = undefined
        state.phase = 'busy'
        resolve(line)
      }
    })
  }

  /** Raw bytes from the terminal. */
  data(data: Buffer): void {
    try {
      if (this.focus.active) {
        data = this.focus.take(data)
        if (data.length === 0) return
      }
      clearTimeout(this.escapeTimer)
      for (const key of this.keys.push(this.utf8.write(data))) this.key(key)
      if (this.keys.waiting) {
        this.escapeTimer = setTimeout(() => {
          for (const key of this.keys.flush()) this.key(key)
        }, ESCAPE_WAIT_MS)
      }
    } catch (error) {
      this.context.options.logger.error({err: error}, 'key handling failed')
      this.context.screen.note(this.context.screen.style.red(`Internal error: ${errorMessage(error)}`))
    }
  }

  stop(): void {
    clearTimeout(this.escapeTimer)
  }

  /** Ctrl-C (also SIGINT): clears the prompt, cancels what runs, or (pressed twice) quits. */
  interrupt(): void {
    const {state, screen} = this.context
    const now = Date.now()
    const twice = now - this.lastInterrupt < DOUBLE_PRESS_MS
    this.lastInterrupt = now
    if (screen.widget?.interrupt?.()) return screen.scheduleRender()
    if (state.phase === 'busy') {
      if (state.turn && !state.cancelling) {
        this.cancelTurn()
        screen.setNotice('Cancelling. Press Ctrl-C again to quit.')
      } else if (twice) {
        state.quitRequested = true
        state.turn?.abort(new DOMException('Cancelled by user', 'AbortError'))
        screen.setNotice('Quitting after the cancel completes…')
      }
      return screen.scheduleRender()
    }
    if (this.editor.text !== '') {
      this.editor.clear()
      this.lastInterrupt = 0
      return screen.scheduleRender()
    }
    if (twice) return this.lineDone?.(QUIT)
    screen.setNotice('Press Ctrl-C again to quit (or Ctrl-D).')
    screen.scheduleRender()
  }

  private key(key: Key): void {
    const {state, screen} = this.context
    // "Twice" means two Ctrl-C in a row: any other key in between starts the count again.
    if (key.type !== 'key' || key.name !== 'ctrl+c') this.lastInterrupt = 0
    if (key.type === 'key') {
      if (key.name === 'ctrl+c') return this.interrupt()
      if (key.name === 'shift+tab' && !(screen.widget instanceof ChoiceWidget)) return cycleApprovalMode(this.context)
      if (key.name === 'ctrl+f' && this.focus.available && !this.focus.active) return this.focus.focus()
      if (key.name === 'escape' && state.phase === 'busy' && !screen.widget && state.turn) return this.cancelTurn()
    }
    if (screen.widget) {
      screen.widget.key(key)
      return screen.scheduleRender()
    }
    if (state.phase === 'idle' || state.typeAhead) this.editorKey(key)
  }

  private editorKey(key: Key): void {
    const {options, state, screen} = this.context
    const editor = this.editor
    const busy = state.phase === 'busy'
    if (key.type === 'key' && key.name === 'ctrl+d') {
      if (editor.text === '') return busy ? undefined : this.lineDone?.(QUIT)
      editor.handle({type: 'key', name: 'delete'})
      return screen.scheduleRender()
    }
    if (key.type === 'key' && key.name === 'tab' && /^\/\S*$/.test(editor.text)) {
      const matches = completeCommand(editor.text)
      if (matches.length === 1) editor.set(`/${matches[0]} `)
      else if (matches.length > 1) screen.setNotice(matches.map((name) => `/${name}`).join('  '))
      return screen.scheduleRender()
    }
    // Up from the prompt's first line takes the queued messages back to be edited.
    if (key.type === 'key' && key.name === 'up' && state.queued.length > 0 && editor.position().row === 0) {
      editor.restore(state.queued.splice(0))
      return screen.scheduleRender()
    }
    if (editor.handle(key) === 'submit') {
      if (editor.text.trim() === '') return
      const submission = editor.take()
      editor.history.add(submission.text)
      if (options.historyFile) void appendHistory(options.historyFile, submission.text, editor.history.all as string[])
      screen.clearNotice()
      if (busy) {
        state.queued.push(submission)
        return screen.scheduleRender()
      }
      this.lineDone?.(submission)
      return
    }
    screen.scheduleRender()
  }

  private cancelTurn(): void {
    const {state, screen} = this.context
    if (!state.turn || state.cancelling) return
    state.cancelling = true
    state.turn.abort(new DOMException('Cancelled by user', 'AbortError'))
    // What was queued for after the turn is not sent behind a cancel: it goes back into the prompt.
    if (state.queued.length > 0) this.editor.restore(state.queued.splice(0))
    screen.scheduleRender()
  }
}
