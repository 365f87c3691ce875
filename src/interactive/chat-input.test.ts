// What keys do to the session: typing ahead while something runs (queued, shown, taken back with Up, sent after),
// a cancel putting queued messages back in the prompt, and a large paste sent whole. Real parts, a string terminal.
import {afterEach, describe, expect, it} from 'vitest'

import {createApprovals} from '../agent/approvals.js'
import {silentLogger} from '../logging/logger.js'
import {ChatInput, QUIT} from './chat-input.js'
import {ChatScreen} from './chat-screen.js'
import {ChatState} from './chat-state.js'
import {CommandFocus} from './command-focus.js'
import {LineEditor, type Submission} from './line-editor.js'
import {createStyle} from '../output/style.js'

const parts: ChatScreen[] = []
afterEach(() => {
  for (const screen of parts.splice(0)) screen.stop()
})

function session() {
  let written = ''
  const write = (text: string) => void (written += text)
  const style = createStyle(false)
  const editor = new LineEditor()
  const state = new ChatState(createApprovals({mode: 'yolo'}))
  const screen = new ChatScreen({
    write,
    style,
    state,
    editor,
    columns: 60,
    rows: 20,
    displayNames: new Map(),
    showColor: false,
  })
  parts.push(screen)
  const focus = new CommandFocus(screen, write, () => ({cols: 60, rows: 20}))
  const input = new ChatInput({options: {logger: silentLogger()}, state, screen}, editor, focus)
  const keys = (text: string) => input.data(Buffer.from(text))
  /** The live lines as they are drawn now. */
  const live = () => {
    screen.flush()
    return screen.region.current.lines
  }
  return {state, screen, editor, input, keys, live, written: () => written}
}

describe('ChatInput', () => {
  it('queues a message typed while a turn runs, shows it, lets Up take it back, and hands it over when idle', async () => {
    const {state, editor, input, keys, live} = session()
    state.phase = 'busy'
    state.turn = new AbortController()
    keys('secnd')
    expect(editor.text).toBe('secnd')
    keys('\r')
    expect(state.queued.map((q) => q.text)).toEqual(['secnd'])
    expect(editor.text).toBe('')
    expect(live()).toContain('⏎ queued: secnd')
    // Up on the prompt's first line takes the queue back to be edited.
    keys('\u001B[A')
    expect(state.queued).toEqual([])
    expect(editor.text).toBe('secnd')
    keys('\u001B[D\u001B[Do\r')
    expect(state.queued.map((q) => q.text)).toEqual(['second'])
    // The turn ends: the next line is the queued one, without waiting for a key.
    state.turn = undefined
    const next = (await input.nextLine()) as Submission
    expect(next.text).toBe('second')
    expect(state.queued).toEqual([])
  })

  it('a cancel puts queued messages back in the prompt instead of sending them', () => {
    const {state, editor, keys} = session()
    state.phase = 'busy'
    const turn = new AbortController()
    state.turn = turn
    keys('run the tests\r')
    keys('\u0003')
    expect(turn.signal.aborted).toBe(true)
    expect(state.queued).toEqual([])
    expect(editor.text).toBe('run the tests')
  })

  it('while quitting the prompt takes nothing; at the prompt Ctrl-D on an empty line quits', async () => {
    const {state, editor, input, keys} = session()
    state.phase = 'busy'
    state.typeAhead = false
    keys('ignored')
    expect(editor.text).toBe('')
    state.typeAhead = true
    const line = input.nextLine()
    keys('\u0004')
    expect(await line).toBe(QUIT)
  })

  it('a bracketed paste of many lines is one label at the prompt and the whole text when sent', async () => {
    const {input, keys, live} = session()
    const block = Array.from({length: 8}, (_, i) => `row ${i}`).join('\n')
    const line = input.nextLine()
    keys(`see \u001B[200~${block}\u001B[201~`)
    expect(live().some((row) => row.startsWith('> see [pasted 8 lines]'))).toBe(true)
    keys('\r')
    expect(await line).toMatchObject({text: `see ${block}`, shown: 'see [pasted 8 lines]'})
  })
})
