// save_memory's file edit: the section is made once, facts are appended to it, the rest of the file is kept.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {appendMemory} from './save-memory.js'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-memory-'))
})
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

describe('appendMemory', () => {
  it('creates the file and the section, then appends to the section, keeping what follows it', async () => {
    const file = path.join(dir, '.qwen', 'QWEN.md')
    await appendMemory(file, 'I prefer tabs')
    expect(fs.readFileSync(file, 'utf8')).toBe('## Qwen Added Memories\n- I prefer tabs\n')

    fs.writeFileSync(file, '# Mine\nnotes\n\n## Qwen Added Memories\n- one\n\n## Later\nkept\n')
    await appendMemory(file, '- two\nlines')
    expect(fs.readFileSync(file, 'utf8')).toBe(
      '# Mine\nnotes\n\n## Qwen Added Memories\n- one\n- two lines\n\n## Later\nkept\n',
    )
  })

  it('adds the section after existing text', async () => {
    const file = path.join(dir, 'QWEN.md')
    fs.writeFileSync(file, '# My rules')
    await appendMemory(file, 'fact')
    expect(fs.readFileSync(file, 'utf8')).toBe('# My rules\n\n## Qwen Added Memories\n- fact\n')
  })
})
