// The OpenAI model client against the real scripted server over HTTP: assembly, retries, broken streams, timeouts.
import {afterEach, describe, expect, it} from 'vitest'

import {startScriptedModel, type ScriptEntry, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {AgentError, AuthError} from '../../src/errors.js'
import type {ModelDelta, ModelRequest} from '../../src/agent/model-client.js'
import {createOpenAIModelClient, type OpenAIModelClientOptions} from '../../src/agent/openai-model-client.js'

let server: ScriptedModelServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

const request: ModelRequest = {
  model: 'scripted-model',
  messages: [
    {role: 'system', content: 'You are a test.'},
    {role: 'user', content: 'hello'},
  ],
  tools: [{name: 'run_shell_command', description: 'Runs a command', parameters: {type: 'object', properties: {}}}],
}

async function start(steps: ScriptEntry[], options: Partial<OpenAIModelClientOptions> = {}) {
  server = await startScriptedModel({steps, apiKey: 'sk-test'})
  const client = createOpenAIModelClient({
    apiKey: 'sk-test',
    baseURL: server.url,
    model: 'scripted-model',
    retryBaseDelayMs: 5,
    maxRetries: 3,
    ...options,
  })
  return {server, client}
}

async function collect(stream: AsyncIterable<ModelDelta>): Promise<ModelDelta[]> {
  const out: ModelDelta[] = []
  for await (const delta of stream) out.push(delta)
  return out
}

const text = (deltas: ModelDelta[]) => deltas.flatMap((d) => (d.type === 'text' ? [d.text] : [])).join('')

describe('createOpenAIModelClient', () => {
  it('streams text as it arrives and reports usage and the finish reason', async () => {
    const {client} = await start([
      {text: 'Hello there, I am a scripted model.', usage: {prompt_tokens: 11, completion_tokens: 7}},
    ])
    const deltas = await collect(client.stream(request, new AbortController().signal))
    expect(deltas.filter((d) => d.type === 'text').length).toBeGreaterThan(3)
    expect(text(deltas)).toBe('Hello there, I am a scripted model.')
    expect(deltas.at(-2)).toEqual({type: 'usage', usage: {inputTokens: 11, outputTokens: 7}})
    expect(deltas.at(-1)).toEqual({type: 'done', finishReason: 'stop'})
  })

  it('sends messages and tools in the OpenAI shape with streaming usage requested', async () => {
    const {client, server} = await start([{text: 'ok'}])
    await collect(client.stream(request, new AbortController().signal))
    const body = server.chatRequests()[0]?.body
    expect(body?.stream).toBe(true)
    expect(body?.stream_options).toEqual({include_usage: true})
    expect(body?.messages).toEqual([
      {role: 'system', content: 'You are a test.'},
      {role: 'user', content: 'hello'},
    ])
    expect(body?.tools?.[0]).toEqual({
      type: 'function',
      function: {
        name: 'run_shell_command',
        description: 'Runs a command',
        parameters: {type: 'object', properties: {}},
      },
    })
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test')
  })

  it('assembles tool calls split across deltas, in order', async () => {
    const {client} = await start([
      {
        text: 'Let me look.',
        chunkSize: 3,
        toolCalls: [
          {id: 'call_a', name: 'run_shell_command', arguments: {command: 'ls -la', is_background: false}},
          {id: 'call_b', name: 'read_file', arguments: {path: 'src/index.ts'}},
        ],
      },
    ])
    const deltas = await collect(client.stream(request, new AbortController().signal))
    expect(deltas.filter((d) => d.type === 'tool_call_delta').length).toBeGreaterThan(6)
    const calls = deltas.find((d) => d.type === 'tool_calls')
    expect(calls).toEqual({
      type: 'tool_calls',
      calls: [
        {id: 'call_a', name: 'run_shell_command', arguments: '{"command":"ls -la","is_background":false}'},
        {id: 'call_b', name: 'read_file', arguments: '{"path":"src/index.ts"}'},
      ],
    })
    expect(deltas.at(-1)).toEqual({type: 'done', finishReason: 'tool_calls'})
  })

  it('tolerates tool-call deltas without an index', async () => {
    const {client} = await start([
      {
        omitIndex: true,
        toolCalls: [
          {id: 'call_1', name: 'one', arguments: {a: 1}},
          {id: 'call_2', name: 'two', arguments: {b: 'two'}},
        ],
      },
    ])
    const deltas = await collect(client.stream(request, new AbortController().signal))
    expect(deltas.find((d) => d.type === 'tool_calls')).toEqual({
      type: 'tool_calls',
      calls: [
        {id: 'call_1', name: 'one', arguments: '{"a":1}'},
        {id: 'call_2', name: 'two', arguments: '{"b":"two"}'},
      ],
    })
  })

  it('passes invalid JSON arguments through untouched (the loop judges them)', async () => {
    const {client} = await start([{toolCalls: [{id: 'c', name: 'run_shell_command', arguments: '{"command": "ls'}]}])
    const deltas = await collect(client.stream(request, new AbortController().signal))
    expect(deltas.find((d) => d.type === 'tool_calls')).toEqual({
      type: 'tool_calls',
      calls: [{id: 'c', name: 'run_shell_command', arguments: '{"command": "ls'}],
    })
  })

  it('retries a 429, honouring retry-after, then succeeds', async () => {
    const {client, server} = await start([
      {fault: {kind: 'http', status: 429, retryAfter: 0.05}},
      {text: 'after the wait'},
    ])
    const deltas = await collect(client.stream(request, new AbortController().signal))
    expect(deltas[0]).toEqual({type: 'retry', attempt: 1, delayMs: 50, reason: 'HTTP 429'})
    expect(text(deltas)).toBe('after the wait')
    expect(server.chatRequests()).toHaveLength(2)
  })

  it('retries 500s with backoff and fails with one clear line after the last retry', async () => {
    const fault = {fault: {kind: 'http' as const, status: 500, message: 'upstream exploded'}}
    const {client, server} = await start([fault, fault, fault, fault])
    const deltas: ModelDelta[] = []
    const error = await (async () => {
      for await (const delta of client.stream(request, new AbortController().signal)) deltas.push(delta)
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AgentError)
    expect((error as AgentError).message).toBe(
      `Model request to ${server.url}/chat/completions failed after 4 attempts with HTTP 500: upstream exploded`,
    )
    expect(deltas.map((d) => d.type)).toEqual(['retry', 'retry', 'retry'])
    expect(server.chatRequests()).toHaveLength(4)
  })

  it('does not retry a 400 and names the endpoint and status', async () => {
    const {client} = await start([{fault: {kind: 'http', status: 400, message: 'model not found'}}])
    await expect(collect(client.stream(request, new AbortController().signal))).rejects.toThrow(
      /failed with HTTP 400: model not found$/,
    )
  })

  it('turns a 401 into an auth error with a hint', async () => {
    const {client} = await start([{text: 'never'}], {apiKey: 'wrong'})
    const error = await collect(client.stream(request, new AbortController().signal)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).oneLine()).toMatch(/HTTP 401.*Check OPENAI_API_KEY/)
  })

  it('retries when the stream carries garbage before any output', async () => {
    const {client} = await start([{text: 'x', fault: {kind: 'malformed', afterChunks: 0}}, {text: 'clean'}])
    const deltas = await collect(client.stream(request, new AbortController().signal))
    expect(deltas[0]).toMatchObject({type: 'retry', reason: expect.stringMatching(/malformed data/)})
    expect(text(deltas)).toBe('clean')
  })

  it('retries when the connection closes before any output', async () => {
    const {client} = await start([{text: 'lost', fault: {kind: 'close', afterChunks: 1}}, {text: 'second try'}])
    const deltas = await collect(client.stream(request, new AbortController().signal))
    expect(deltas[0]).toMatchObject({type: 'retry', attempt: 1})
    expect(text(deltas)).toBe('second try')
  })

  it('fails (no silent retry) when the stream breaks after text was shown', async () => {
    const {client, server} = await start([
      {text: 'a long answer that breaks', chunkSize: 4, fault: {kind: 'close', afterChunks: 3}},
    ])
    const deltas: ModelDelta[] = []
    const error = await (async () => {
      for await (const delta of client.stream(request, new AbortController().signal)) deltas.push(delta)
    })().catch((e: unknown) => e)
    expect(text(deltas)).toBe('a long a')
    expect(error).toBeInstanceOf(AgentError)
    expect((error as AgentError).message).toMatch(/broke off mid-stream/)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('times out a slow response and retries it', async () => {
    const {client} = await start([{delayMs: 1000, text: 'too late'}, {text: 'in time'}], {timeoutMs: 200})
    const started = performance.now()
    const deltas = await collect(client.stream(request, new AbortController().signal))
    // Order, not speed: the timeout fired (a retry, then the second answer), and not before its 200 ms.
    expect(deltas[0]).toMatchObject({type: 'retry', reason: expect.stringMatching(/200 ms/)})
    expect(text(deltas)).toBe('in time')
    expect(performance.now() - started).toBeGreaterThanOrEqual(190)
  })

  it('times out a stream that stalls between chunks', async () => {
    const {client} = await start([{text: 'abcdefghijklmnop', chunkSize: 2, chunkDelayMs: 400}], {
      timeoutMs: 150,
      maxRetries: 0,
    })
    await expect(collect(client.stream(request, new AbortController().signal))).rejects.toThrow(/no data for 150 ms/)
  })

  it('stops at once when the caller aborts', async () => {
    const {client, server} = await start([{delayMs: 5000, text: 'never'}])
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    // Rejected rather than answered: had the abort been ignored, the 'never' text would arrive after 5 s.
    await expect(collect(client.stream(request, controller.signal))).rejects.toThrow()
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('retries connection refused and reports the endpoint', async () => {
    const client = createOpenAIModelClient({
      apiKey: 'k',
      baseURL: 'http://127.0.0.1:9/v1',
      model: 'm',
      retryBaseDelayMs: 1,
      maxRetries: 1,
    })
    const error = await collect(client.stream(request, new AbortController().signal)).catch((e: unknown) => e)
    expect((error as AgentError).message).toMatch(
      /^Model request to http:\/\/127.0.0.1:9\/v1\/chat\/completions failed after 2 attempts with connection error/,
    )
  })
})
