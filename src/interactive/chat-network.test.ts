import {describe, expect, it} from 'vitest'

import {hostQuestions} from './chat-network.js'

/** The chat's question and its transcript lines, with a screen and prompts that only record what they were given. */
function recordingQuestions() {
  const printed: string[] = []
  const asked: string[] = []
  const context = {
    options: {config: {home: '/nonexistent', projectRoot: '/nonexistent'}},
    screen: {note: (text: string) => printed.push(text), style: {dim: (text: string) => text}},
    prompts: {
      choose: (question: string) => {
        asked.push(question)
        return Promise.resolve('refuse')
      },
    },
  } as unknown as Parameters<typeof hostQuestions>[0]
  return {questions: hostQuestions(context), printed, asked}
}

/** Whether any C0 or C1 control character (or DEL) is in the text. */
const hasControls = (text: string): boolean =>
  [...text].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f))

describe('hostQuestions', () => {
  // The host name comes from a program in the sandbox: it must not reach the terminal as escape sequences.
  const hostile = 'a\u001b]0;owned\u0007b.test'

  it('shows the host in the question with its control characters made visible', async () => {
    const {questions, asked} = recordingQuestions()
    await questions.ask(hostile, {host: hostile, port: 80})
    expect(asked).toHaveLength(1)
    expect(hasControls(asked[0]!)).toBe(false)
  })

  it('shows the decision line with its control characters made visible', () => {
    const {questions, printed} = recordingQuestions()
    questions.note(`network: ${hostile} refused for this session`)
    expect(printed).toHaveLength(1)
    expect(printed[0]).toContain('network: a')
    expect(hasControls(printed[0]!)).toBe(false)
  })
})
