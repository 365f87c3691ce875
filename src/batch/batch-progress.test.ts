import {describe, expect, it} from 'vitest'

import {createBatchProgress} from './batch-progress.js'
import type {BatchTask} from './task-file.js'

const task = (id: string): BatchTask => ({id, line: 1, source: {kind: 'dir', path: '/p'}, prompt: 'x', overrides: {}})
const record = (id: string, status: 'success' | 'failed' = 'success') => ({
  id,
  status,
  turns: 2,
  tokens: {input: 1000, output: 234},
  duration_ms: 3200,
  files_changed: 1,
  attempts: 1,
  ended_at: '',
})

describe('batch progress', () => {
  it('prints one plain line per event when not on a terminal', () => {
    let text = ''
    const progress = createBatchProgress({write: (chunk: string) => (text += chunk)}, {total: 3, alreadyDone: 1})
    progress.handle({type: 'task_started', task: task('a'), attempt: 1})
    progress.handle({type: 'task_retry', task: task('a'), attempt: 2, reason: 'node died\u001b[2J'})
    progress.handle({type: 'task_finished', task: task('a'), record: record('a')})
    progress.finish()
    expect(text).toBe(
      'start a\nretry a (attempt 2): node died\\e[2J\n[2/3] a success · 2 turns · 1,234 tokens · 3.2s · 1 file\n',
    )
  })

  it('keeps a status line (done, running, failed, rate, time left) under the event lines on a terminal', () => {
    let text = ''
    let clock = 0
    const progress = createBatchProgress(
      {write: (chunk: string) => (text += chunk), isTTY: true},
      {total: 4, alreadyDone: 0},
      () => clock,
    )
    progress.handle({type: 'task_started', task: task('a'), attempt: 1})
    progress.handle({type: 'task_started', task: task('b'), attempt: 1})
    clock = 60_000
    progress.handle({type: 'task_finished', task: task('a'), record: record('a', 'failed')})
    progress.finish()
    expect(text).toContain('0/4 done · 2 running')
    expect(text).toContain('\r\x1b[K[1/4] a failed')
    expect(text).toContain('1/4 done · 1 running · 1 failed · 1.0 tasks/min · about 3m 0s left')
    expect(text.endsWith('\r\x1b[K')).toBe(true)
  })
})
