// The status line fits the terminal: less important parts go first, the approval mode stays.
import {describe, expect, it} from 'vitest'

import {statusLine, type StatusInfo} from './status-line.js'
import {createStyle} from '../output/style.js'
import {visibleWidth} from '../output/text-width.js'

const plain = createStyle(false)
const colored = createStyle(true)

const busy: StatusInfo = {
  model: 'qwen3-coder-plus',
  sandboxId: '1a2b3c4d',
  sandboxState: 'ready',
  sandboxReady: true,
  changedFiles: 3,
  tokens: '12.3k',
  mode: 'auto-edit',
}

/** The live region draws in one column less than the terminal has (see LiveRegion.width). */
const line = (info: StatusInfo, columns: number, style = plain) => statusLine(info, columns - 1, style)

describe('status line', () => {
  it('shows everything when it fits', () => {
    const quiet = {...busy, changedFiles: 0, tokens: '0', mode: 'default'}
    expect(line(quiet, 80)).toBe('qwen3-coder-plus · sandbox 1a2b3c4d ready · 0 tokens · default (shift+tab)')
  })

  it('at 80 columns with changes and tokens, drops the sandbox id and the hint, not the mode', () => {
    expect(line(busy, 80)).toBe('qwen3-coder-plus · sandbox ready · 3 changed · 12.3k tokens · auto-edit')
    // A shorter model name leaves room for the hint again.
    expect(line({...busy, model: 'm1'}, 80)).toBe(
      'm1 · sandbox 1a2b3c4d ready · 3 changed · 12.3k tokens · auto-edit (shift+tab)',
    )
  })

  it('at 60 columns drops the token count', () => {
    expect(line(busy, 60)).toBe('qwen3-coder-plus · sandbox ready · 3 changed · auto-edit')
  })

  it('at 40 columns keeps the model, the changes and the mode', () => {
    expect(line({...busy, model: 'qwen3-coder'}, 40)).toBe('qwen3-coder · 3 changed · auto-edit')
    // A longer model name goes too.
    expect(line(busy, 40)).toBe('3 changed · auto-edit')
    // A sandbox that is not ready matters more than the model.
    const starting = {...busy, sandboxId: undefined, sandboxState: 'starting', sandboxReady: false, mode: 'default'}
    expect(line(starting, 40)).toBe('sandbox starting · 3 changed · default')
  })

  it('keeps the mode to the last, and cuts only when the mode alone does not fit', () => {
    expect(line(busy, 20)).toBe('auto-edit')
    expect(line(busy, 6)).toBe('auto…')
  })

  it('measures without colour codes, and never goes past the width', () => {
    const withColor = {...busy, sandboxState: colored.green('ready')}
    for (const columns of [120, 80, 60, 40, 20, 8]) {
      const text = line(withColor, columns, colored)
      expect(visibleWidth(text)).toBeLessThanOrEqual(columns - 1)
      expect(text).toContain('auto')
    }
    expect(line(withColor, 80, colored)).toContain(colored.dim(' · '))
  })
})
