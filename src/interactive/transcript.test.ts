// What the conversation prints for a command's output: nothing in it may act on the terminal.
/* eslint-disable no-control-regex -- control characters are what these tests look for */
import {describe, expect, it} from 'vitest'

import type {AgentEvent} from '../agent/events.js'
import {createStyle} from '../output/style.js'
import {loadMarkdownRenderer} from '../output/markdown-terminal.js'
import {Transcript} from './transcript.js'

const ESC = '\u001B'

function transcript(options: {color?: boolean; showColor?: boolean} = {}) {
  let printed = ''
  const t = new Transcript({
    style: createStyle(options.color ?? false),
    showColor: options.showColor,
    print: (text) => {
      printed += text
    },
  })
  t.handle({
    type: 'tool_call_started',
    id: 'c1',
    name: 'run_shell_command',
    description: 'cmd',
    input: {},
  } as AgentEvent)
  const out = (chunk: string, stream: 'stdout' | 'stderr' = 'stdout') =>
    t.handle({type: 'tool_output', id: 'c1', stream, chunk})
  const finish = () =>
    t.handle({
      type: 'tool_call_finished',
      id: 'c1',
      durationMs: 1000,
      result: {forModel: '', forUser: '$ cmd\n(exit code 0)'},
    } as unknown as AgentEvent)
  return {t, out, finish, printed: () => printed}
}

/** Any character below space except the newline, DEL, or C1, i.e. whatever a terminal would act on. */
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/

describe('transcript: command output', () => {
  it('prints lone control characters from a command as nothing, renders \\r, backspace and tabs', () => {
    const {t, out, finish, printed} = transcript()
    out('bell\u0007 here\u0000\u007F\u009B\u000C\n')
    out('downloading 10%\r')
    out('downloading 100%\r\n')
    out('_\bb_\bo_\bl_\bd and abc\b\bX\n')
    out('a\tb\n')
    out(`erase${ESC}[2K${ESC}[1G line${ESC}`)
    out('\n')
    out('oops\n', 'stderr')
    out('last \u0008partial')
    expect(t.partialLines(80)).toEqual(['  │ lastpartial'])
    finish()
    const text = printed()
    expect(text).not.toMatch(CONTROL)
    expect(text.split('\n').filter((line) => line.startsWith('  │'))).toEqual([
      '  │ bell here',
      '  │ downloading 100%',
      '  │ bold and aX',
      '  │ a       b',
      '  │ erase line',
      '  │ oops',
      '  │ lastpartial',
    ])
  })

  it('keeps whole escape sequences that arrive in pieces, and only colours with showColor', () => {
    const {out, finish, printed} = transcript({color: true, showColor: true})
    out(`${ESC}[3`)
    out(`1mred${ESC}`)
    out(`[0m ${ESC}]0;title${ESC}`)
    out(`\\ ${ESC}[2Jok\n`)
    out('warn\nmore\n', 'stderr')
    out(`${ESC}[`)
    finish()
    const rows = printed().split('\n')
    const reset = `${ESC}[0m`
    const bar = `${ESC}[2m  │ ${reset}`
    expect(rows).toContain(`${bar}${ESC}[31mred${reset}  ok${reset}`)
    // Stderr is yellow line by line, so each line keeps its colour after the bar.
    expect(rows).toContain(`${bar}${ESC}[33mwarn${reset}${reset}`)
    expect(rows).toContain(`${bar}${ESC}[33mmore${reset}${reset}`)
    expect(printed()).not.toMatch(/\u001B(?!\[[\d;]*m)/)
    // The cut sequence the command never finished is dropped.
    expect(rows.filter((row) => row.startsWith(bar))).toHaveLength(3)
  })

  it('removes every escape sequence without showColor', () => {
    const {out, finish, printed} = transcript({color: false, showColor: false})
    out(`${ESC}[31mred${ESC}[0m ${ESC}[`)
    out(`1;1Hthere\n`)
    finish()
    expect(printed()).toContain('  │ red there\n')
    expect(printed()).not.toMatch(CONTROL)
  })
})

describe('Transcript: the model markdown', () => {
  it('prints complete blocks rendered behind the message mark, and shows the open block raw in the live lines', async () => {
    const render = await loadMarkdownRenderer(60)
    let printed = ''
    const t = new Transcript({
      style: createStyle(false),
      print: (text) => {
        printed += text
      },
      markdown: () => render,
    })
    t.handle({type: 'turn_started', turn: 1})
    t.handle({type: 'text_delta', text: 'Use **npm** here.\n\n| a | b |\n|---|---|\n| 1 '})
    expect(printed).toBe('✦ Use npm here.\n')
    // The table is still being written: it shows as it came, below the scrollback, cut to the width.
    expect(t.partialLines(40)).toEqual(['  | a | b |', '  |---|---|', '  | 1 '])
    t.handle({type: 'text_delta', text: '| 2 |\n'})
    t.handle({type: 'assistant_message', text: '', toolCalls: []})
    expect(t.partialLines(40)).toEqual([])
    const plain = printed.replace(/\u001B\[[0-9;]*m/g, '')
    expect(plain).toMatch(/^✦ Use npm here\.\n {2}\n {2}┌───┬───┐\n {2}│ a +│ b +│/)
    expect(plain).not.toContain('|---|')
  })
})
