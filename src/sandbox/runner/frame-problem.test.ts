// A corrupted control stream is told at once: headers that cannot be the runner's stop the reader before it waits.
import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {FrameReader} from './chunk-reader.js'
import {FrameType, encodeControl, encodeFrame} from './protocol.js'
import {frameProblem} from './runner-client.js'

function reader() {
  const frames: number[] = []
  const corrupt: string[] = []
  const frameReader = new FrameReader(
    (type) => frames.push(type),
    new Set([FrameType.stdout, FrameType.stderr]),
    frameProblem,
    (reason) => corrupt.push(reason),
  )
  return {frameReader, frames, corrupt}
}

describe('frameProblem', () => {
  it('passes what the runner sends', () => {
    const {frameReader, frames, corrupt} = reader()
    frameReader.push(encodeControl(FrameType.ready, 0, {version: 3}))
    frameReader.push(encodeFrame(FrameType.stdout, 7, Buffer.from('hello')))
    frameReader.push(encodeControl(FrameType.exit, 7, {exitCode: 0}))
    expect(frames).toEqual([FrameType.ready, FrameType.stdout, FrameType.exit])
    expect(corrupt).toEqual([])
  })

  it('stops at once on an unknown type, an oversized frame or a ready frame for a request', () => {
    expect(frameProblem(0x42, 1, 10)).toBe('unknown frame type 66')
    expect(frameProblem(FrameType.stdout, 1, 64 * 1024 * 1024)).toBe('a 67108864-byte frame')
    expect(frameProblem(FrameType.ready, 5, 10)).toBe('a ready frame for request 5')
    expect(frameProblem(FrameType.reply, 5, 2)).toBe('a 2-byte control frame')
    const {frameReader, frames, corrupt} = reader()
    frameReader.push(encodeFrame(FrameType.stdout, 7, Buffer.from('before')))
    frameReader.push(Buffer.from([0x99, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]))
    frameReader.push(encodeFrame(FrameType.stdout, 7, Buffer.from('after')))
    expect(frames).toEqual([FrameType.stdout])
    expect(corrupt).toEqual(['unknown frame type 153'])
  })

  it('catches random bytes in the stream nearly always on the first header', () => {
    let caught = 0
    for (let i = 0; i < 200; i++) {
      const {frameReader, corrupt} = reader()
      frameReader.push(randomBytes(4096))
      if (corrupt.length > 0) caught++
    }
    expect(caught).toBeGreaterThan(190)
  })
})
