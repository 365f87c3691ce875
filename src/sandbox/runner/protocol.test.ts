// The host's protocol numbers against the runner shipped in the image: a frame type or version changed on one side only fails here.
import fs from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {FRAME_HEADER_BYTES, FrameType, PROTOCOL_VERSION} from './protocol.js'

const RUNNER = fileURLToPath(
  new URL('../../../sandbox-images/default/rootfs/opt/sandbox-agent/runner.js', import.meta.url),
)

/** The runner's top-level `const NAME = <integer>` declarations. */
function runnerConstants(): Map<string, number> {
  const source = fs.readFileSync(RUNNER, 'utf8')
  const constants = new Map<string, number>()
  for (const match of source.matchAll(/^const ([A-Z_]+) = (\d+)$/gm)) constants.set(match[1]!, Number(match[2]))
  return constants
}

/** `stdout` -> `STDOUT`, `exec` -> `EXEC`: the runner names frame types in capitals. */
const runnerName = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()

describe('runner protocol numbers', () => {
  const runner = runnerConstants()

  it('has the same version and header size', () => {
    expect(runner.get('PROTOCOL_VERSION')).toBe(PROTOCOL_VERSION)
    expect(runner.get('HEADER')).toBe(FRAME_HEADER_BYTES)
  })

  it.each(Object.entries(FrameType))('frame type %s has the same number in runner.js', (name, value) => {
    expect(runner.get(runnerName(name))).toBe(value)
  })

  it('the runner declares exactly the frame types the host knows', () => {
    const source = fs.readFileSync(RUNNER, 'utf8')
    const start = source.indexOf('// Host -> runner')
    const end = source.indexOf('\n\n', source.indexOf('// Runner -> host'))
    const declared = [...source.slice(start, end).matchAll(/^const ([A-Z_]+) = \d+$/gm)].map((m) => m[1])
    expect(declared.sort()).toEqual(Object.keys(FrameType).map(runnerName).sort())
  })
})
