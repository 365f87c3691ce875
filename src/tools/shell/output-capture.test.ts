// OutputCapture: spilled parts are stored one at a time, a failed store stops saving without a rejection, the cap holds.
import {describe, expect, it} from 'vitest'

import {OutputCapture} from './output-capture.js'

const chunk = (size: number, fill = 'x') => Buffer.alloc(size, fill)

describe('OutputCapture', () => {
  it('makes the producer wait while a spilled part is being stored (bounded memory)', async () => {
    const release: (() => void)[] = []
    const capture = new OutputCapture({
      keepChars: 10,
      spillBytes: 100,
      spill: () => new Promise<void>((resolve) => release.push(resolve)),
    })
    capture.append(chunk(100))
    let drained = false
    const waiting = capture.drained().then(() => (drained = true))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(drained).toBe(false)
    release.shift()?.()
    await waiting
    expect(drained).toBe(true)
    await capture.drained()
  })

  it('stops saving at the first failed part, keeps counting, and never rejects', async () => {
    const stored: number[] = []
    const capture = new OutputCapture({
      keepChars: 10,
      spillBytes: 100,
      spill: async (_part, index) => {
        if (index === 1) throw new Error('ENOSPC: no space left on device, write')
        stored.push(index)
      },
    })
    for (let i = 0; i < 10; i++) {
      capture.append(chunk(100))
      await capture.drained()
    }
    expect(await capture.rest()).toHaveLength(0)
    expect(stored).toEqual([0])
    expect(capture.totalBytes).toBe(1000)
    expect(capture.saveProblem).toMatchObject({kind: 'error', error: {message: expect.stringMatching(/ENOSPC/)}})
  })

  it('keeps at most maxSavedBytes for the saved copy and says where it stopped', async () => {
    const parts: Buffer[] = []
    const capture = new OutputCapture({
      keepChars: 10,
      spillBytes: 64,
      maxSavedBytes: 150,
      spill: async (part) => void parts.push(part),
    })
    for (let i = 0; i < 10; i++) capture.append(chunk(50, String(i)))
    const last = await capture.rest()
    const saved = Buffer.concat([...parts, last])
    expect(saved.toString()).toBe('0'.repeat(50) + '1'.repeat(50) + '2'.repeat(50))
    expect(capture.saveProblem).toEqual({kind: 'limit', savedBytes: 150})
    expect(capture.totalBytes).toBe(500)
    expect(capture.text().tail.endsWith('9999999999')).toBe(true)
  })
})
