// Loop detection on its own: five identical calls in a row, repeated text, and what must not count as a loop.
import {describe, expect, it} from 'vitest'

import {LoopDetector, TOOL_CALL_LOOP_THRESHOLD} from './loop-detection.js'

describe('LoopDetector', () => {
  it('fires on the fifth identical tool call in a row (argument order does not matter)', () => {
    const detector = new LoopDetector()
    for (let i = 1; i < TOOL_CALL_LOOP_THRESHOLD; i += 1)
      expect(
        detector.toolCall('run_shell_command', i % 2 ? {command: 'ls', a: 1} : {a: 1, command: 'ls'}),
      ).toBeUndefined()
    expect(detector.toolCall('run_shell_command', {command: 'ls', a: 1})).toMatchObject({
      kind: 'tool_call',
      message: 'Loop detected: the model called run_shell_command with the same arguments 5 times in a row',
    })
  })

  it('a different call in between starts the count again', () => {
    const detector = new LoopDetector()
    for (let i = 0; i < 4; i += 1) detector.toolCall('read', {path: 'a'})
    expect(detector.toolCall('read', {path: 'b'})).toBeUndefined()
    for (let i = 0; i < 3; i += 1) expect(detector.toolCall('read', {path: 'a'})).toBeUndefined()
  })

  it('fires on the same sentence streamed over and over, in any chunking', () => {
    const detector = new LoopDetector()
    const text = 'I will now check the file again to be sure. '.repeat(12)
    let verdict
    for (let i = 0; i < text.length && !verdict; i += 7) verdict = detector.textDelta(text.slice(i, i + 7))
    expect(verdict?.kind).toBe('content')
  })

  it('ordinary prose and repeated code inside a code block are not loops', () => {
    const detector = new LoopDetector()
    const prose = Array.from({length: 40}, (_, i) => `Step ${i}: looked at file number ${i * 7} and it was fine. `)
    for (const piece of prose) expect(detector.textDelta(piece)).toBeUndefined()
    expect(detector.textDelta('```js\n')).toBeUndefined()
    for (let i = 0; i < 30; i += 1)
      expect(detector.textDelta('console.log("same line of code here");\n')).toBeUndefined()
    expect(detector.textDelta('```\n')).toBeUndefined()
  })
})
