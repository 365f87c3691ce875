// Compression with a fake summariser and the real tokenizer: when it happens, what the new history holds (system
// prompt, summary, newest turns, tool calls with their results), and each way it can fail without losing anything.
import {beforeAll, describe, expect, it} from 'vitest'

import type {ModelClient, ModelDelta, ModelMessage, ModelRequest} from '../model-client.js'
import {ContextBudget} from './context-budget.js'
import {contextWindowFor, DEFAULT_CONTEXT_WINDOW} from './context-windows.js'
import {splitHistory} from './split-history.js'
import {createTokenEstimator} from './token-estimate.js'

// The tokenizer's ranks take a few seconds to load on a busy machine: once, before the tests.
beforeAll(() => createTokenEstimator().count([{role: 'user', content: 'warm up'}], []), 60_000)

function summariser(answer: string | Error): ModelClient & {requests: ModelRequest[]} {
  const requests: ModelRequest[] = []
  return {
    model: 'm',
    requests,
    async *stream(request): AsyncGenerator<ModelDelta> {
      requests.push(structuredClone(request))
      if (answer instanceof Error) throw answer
      yield {type: 'text', text: answer}
      yield {type: 'usage', usage: {inputTokens: 100, outputTokens: 20}}
    },
  }
}

/** A long agent run: system, task, then `steps` tool calls each with a result of ~`size` characters. */
function history(steps: number, size = 2000): ModelMessage[] {
  const messages: ModelMessage[] = [
    {role: 'system', content: 'SYSTEM PROMPT'},
    {role: 'user', content: 'fix the failing tests'},
  ]
  for (let i = 0; i < steps; i += 1) {
    messages.push({
      role: 'assistant',
      content: `step ${i}`,
      toolCalls: [{id: `c${i}`, name: 'sh', arguments: `{"n":${i}}`}],
    })
    messages.push({role: 'tool', toolCallId: `c${i}`, content: `output ${i} `.repeat(size / 10)})
  }
  return messages
}

const SNAPSHOT = '<state_snapshot><overall_goal>fix tests</overall_goal></state_snapshot>'
const signal = new AbortController().signal

describe('ContextBudget', () => {
  it('does nothing below the threshold, without loading the tokenizer for a small request', async () => {
    const budget = new ContextBudget({windowTokens: 100_000})
    const model = summariser(SNAPSHOT)
    expect(await budget.beforeRequest(history(3), [], model, signal)).toBeUndefined()
    expect(model.requests).toHaveLength(0)
  })

  it('past the threshold: system prompt, summary, then the newest ~30% with every tool call next to its result', async () => {
    const messages = history(20)
    const budget = new ContextBudget({windowTokens: 10_000, threshold: 0.7})
    const model = summariser(`Thinking first.\n${SNAPSHOT}\ntrailing words`)
    const outcome = await budget.beforeRequest(messages, [], model, signal)
    expect(outcome?.status).toBe('compressed')
    if (outcome?.status !== 'compressed') return
    expect(outcome.tokensAfter).toBeLessThan(outcome.tokensBefore)
    expect(outcome.tokensBefore).toBeGreaterThan(7000)
    const after = outcome.messages
    expect(after[0]).toEqual({role: 'system', content: 'SYSTEM PROMPT'})
    expect(after[1]?.role).toBe('user')
    expect(after[1]?.content).toContain(SNAPSHOT)
    expect(after[1]?.content).not.toContain('trailing words')
    // The newest messages are kept verbatim, starting with an assistant turn; every call has its result.
    expect(after.at(-1)).toEqual(messages.at(-1))
    expect(after[2]?.role).toBe('assistant')
    const kept = after.slice(2)
    expect(kept.length).toBeGreaterThanOrEqual(10)
    expect(kept.length).toBeLessThan(messages.length / 2)
    for (const [index, message] of kept.entries())
      if (message.role === 'assistant')
        expect(kept[index + 1]).toMatchObject({role: 'tool', toolCallId: message.toolCalls?.[0]?.id})
    // The summariser got the older part as a transcript, without tools.
    const request = model.requests[0]
    expect(request?.tools).toEqual([])
    expect(request?.messages[1]?.content).toContain('[tool call c0: sh {"n":0}]')
    expect(request?.messages[1]?.content).toContain('[user]\nfix the failing tests')
    expect(request?.messages[1]?.content).not.toContain('output 19')
  })

  it('keeps the plan when its last todo_write is among the summarised messages', async () => {
    const messages = history(12)
    messages.splice(2, 0, {
      role: 'assistant',
      content: null,
      toolCalls: [
        {id: 't', name: 'todo_write', arguments: '{"todos":[{"id":"1","content":"Fix add","status":"in_progress"}]}'},
      ],
    })
    messages.splice(3, 0, {role: 'tool', toolCallId: 't', content: 'ok'})
    const outcome = await new ContextBudget({windowTokens: 1000}).compress(messages, [], summariser(SNAPSHOT), signal)
    expect(outcome.status === 'compressed' && outcome.messages[1]?.content).toContain('- [in_progress] Fix add')
  })

  it('an empty summary, a failing request, or a summary no smaller leave the history alone and say why', async () => {
    const messages = history(20)
    const budget = () => new ContextBudget({windowTokens: 10_000})
    expect(await budget().beforeRequest(messages, [], summariser('   '), signal)).toMatchObject({
      status: 'failed',
      reason: 'the model returned an empty summary',
    })
    expect(
      await budget().beforeRequest(messages, [], summariser(new Error('Unexpected token < in JSON')), signal),
    ).toMatchObject({
      status: 'failed',
      reason: 'the summary request failed: Unexpected token < in JSON',
    })
    expect(await budget().compress(messages, [], summariser('x '.repeat(40_000)), signal)).toMatchObject({
      status: 'failed',
      reason: 'the summary would not make the history smaller',
    })
  })

  it('after a failed automatic try, waits for the history to grow before trying again', async () => {
    const budget = new ContextBudget({windowTokens: 10_000})
    const model = summariser('')
    const messages = history(20)
    await budget.beforeRequest(messages, [], model, signal)
    expect(await budget.beforeRequest(messages, [], model, signal)).toBeUndefined()
    expect(model.requests).toHaveLength(1)
    messages.push(...history(6).slice(2))
    expect((await budget.beforeRequest(messages, [], model, signal))?.status).toBe('failed')
  })

  it('counts what the API reported plus what was added since, and stops past model.sessionTokenLimit', async () => {
    const budget = new ContextBudget({windowTokens: 100_000, sessionTokenLimit: 5000, threshold: 0})
    const messages = history(2)
    budget.reported(4000, messages.length)
    expect(budget.overLimit()).toBeUndefined()
    expect(await budget.estimate(messages, [])).toBe(4000)
    messages.push({role: 'user', content: 'more words here'})
    expect(await budget.estimate(messages, [])).toBeGreaterThan(4000)
    budget.reported(6000, messages.length)
    expect(budget.overLimit()).toBe(
      'Session token limit exceeded: 6,000 tokens > 5,000 (model.sessionTokenLimit). Start a new session, or raise the limit',
    )
    // Threshold 0: never compressed automatically.
    expect(await budget.beforeRequest(history(40), [], summariser(SNAPSHOT), signal)).toBeUndefined()
  })

  it('nothing old enough to summarise is a no-op', async () => {
    const outcome = await new ContextBudget({windowTokens: 1000}).compress(
      [
        {role: 'system', content: 's'},
        {role: 'user', content: 'hi'},
      ],
      [],
      summariser(SNAPSHOT),
      signal,
    )
    expect(outcome).toMatchObject({status: 'noop'})
  })
})

describe('splitHistory', () => {
  it('never starts the kept part with a tool result, even when 70% falls inside a turn’s results', () => {
    const messages: ModelMessage[] = [
      {role: 'system', content: 's'},
      {role: 'user', content: 'task'},
      {
        role: 'assistant',
        content: null,
        toolCalls: [
          {id: 'a', name: 'x', arguments: '{}'},
          {id: 'b', name: 'x', arguments: '{}'},
        ],
      },
      {role: 'tool', toolCallId: 'a', content: 'A'.repeat(800)},
      {role: 'tool', toolCallId: 'b', content: 'B'.repeat(100)},
      {role: 'assistant', content: 'done'.repeat(50)},
    ]
    const {head, older, recent} = splitHistory(messages)
    expect(head).toHaveLength(1)
    expect(recent[0]?.role).toBe('assistant')
    expect(older.at(-1)).toMatchObject({role: 'tool', toolCallId: 'b'})
  })
})

describe('contextWindowFor', () => {
  it('the setting wins, then the table, then the default', () => {
    expect(contextWindowFor('qwen3-coder-plus', 32_768)).toBe(32_768)
    expect(contextWindowFor('qwen3-coder-plus')).toBe(1_048_576)
    expect(contextWindowFor('gpt-4o-mini')).toBe(131_072)
    expect(contextWindowFor('deepseek-chat')).toBe(131_072)
    expect(contextWindowFor('some-local-model')).toBe(DEFAULT_CONTEXT_WINDOW)
    expect(contextWindowFor(undefined)).toBe(DEFAULT_CONTEXT_WINDOW)
  })
})
