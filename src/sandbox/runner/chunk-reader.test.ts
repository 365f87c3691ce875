// The stream parsers survive any split of their input: Docker's 8-byte framing and the runner's frames.
import {describe, expect, it} from 'vitest'

import {BoundedCollector} from '../exec/bounded-output.js'
import {DockerStreamDemuxer, FrameReader} from './chunk-reader.js'
import {FrameType, decodeControl, encodeControl, encodeFrame} from './protocol.js'

function dockerFrame(stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt8(stream, 0)
  head.writeUInt32BE(payload.length, 4)
  return Buffer.concat([head, payload])
}

function splits(data: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = []
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size))
  return parts
}

describe('stream parsers', () => {
  const frames = Buffer.concat([
    encodeFrame(FrameType.stdout, 7, Buffer.from('hello ')),
    encodeControl(FrameType.exit, 7, {exitCode: 0}),
    encodeFrame(FrameType.stderr, 9, Buffer.from('world')),
  ])
  const wire = Buffer.concat([
    dockerFrame(1, frames.subarray(0, 11)),
    dockerFrame(2, Buffer.from('diag')),
    dockerFrame(1, frames.subarray(11)),
  ])

  for (const size of [1, 2, 3, 7, 8, 9, 13, 1000]) {
    it(`reassembles frames split every ${size} bytes`, () => {
      const output: Record<number, string> = {}
      const controls: unknown[] = []
      let diagnostics = ''
      const reader = new FrameReader(
        (type, id, payload) => {
          if (type === FrameType.exit) controls.push(decodeControl(payload).value)
          else output[id] = (output[id] ?? '') + payload.toString()
        },
        new Set([FrameType.stdout, FrameType.stderr]),
      )
      const demuxer = new DockerStreamDemuxer((stream, chunk) => {
        if (stream === 'stdout') reader.push(chunk)
        else diagnostics += chunk.toString()
      })
      for (const part of splits(wire, size)) demuxer.push(part)
      expect(output).toEqual({7: 'hello ', 9: 'world'})
      expect(controls).toEqual([{exitCode: 0}])
      expect(diagnostics).toBe('diag')
    })
  }
})

describe('BoundedCollector', () => {
  it('keeps everything under the cap', () => {
    const collector = new BoundedCollector(10)
    collector.push(Buffer.from('abc'))
    collector.push(Buffer.from('def'))
    expect(collector.result()).toEqual({text: 'abcdef', totalBytes: 6, omittedBytes: 0})
  })

  it('keeps head and tail and counts the cut', () => {
    const collector = new BoundedCollector(6)
    for (const piece of ['abcd', 'efgh', 'ijkl', 'mn']) collector.push(Buffer.from(piece))
    expect(collector.result()).toEqual({text: 'abc\n[... 8 bytes omitted ...]\nlmn', totalBytes: 14, omittedBytes: 8})
  })
})
