// Cutting streamed markdown into complete blocks and the open one.
import {describe, expect, it} from 'vitest'

import {splitClosedBlocks} from './markdown-blocks.js'

describe('splitClosedBlocks', () => {
  it('closes a paragraph at a blank line, and keeps the unfinished one open', () => {
    expect(splitClosedBlocks('one **bold**\n\ntwo is still bei')).toEqual({
      closed: 'one **bold**\n\n',
      open: 'two is still bei',
    })
    expect(splitClosedBlocks('no newline yet')).toEqual({closed: '', open: 'no newline yet'})
  })

  it('keeps a code fence open until it closes, blank lines inside it included', () => {
    const open = 'Look:\n\n```js\nconst a = 1\n\nconst b = 2\n'
    expect(splitClosedBlocks(open)).toEqual({closed: 'Look:\n\n', open: '```js\nconst a = 1\n\nconst b = 2\n'})
    expect(splitClosedBlocks(`${open}\`\`\`\nafter`)).toEqual({closed: `${open}\`\`\`\n`, open: 'after'})
    // A shorter or different fence does not close it.
    expect(splitClosedBlocks('````\n```\n~~~\n').closed).toBe('')
  })

  it('closes a heading at its end of line, a table only at a blank line', () => {
    expect(splitClosedBlocks('# Title\n| a | b |\n|---|---|\n| 1 | 2 |\n')).toEqual({
      closed: '# Title\n',
      open: '| a | b |\n|---|---|\n| 1 | 2 |\n',
    })
  })
})
