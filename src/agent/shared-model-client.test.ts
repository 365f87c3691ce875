import {describe, expect, it} from 'vitest'

import type {ModelClient, ModelDelta} from './model-client.js'
import {shareModelClient} from './shared-model-client.js'

/** A client whose streams stay open until released, recording how many are open at once. */
function gatedClient() {
  let open = 0
  let most = 0
  const releases: (() => void)[] = []
  const client: ModelClient = {
    model: 'm',
    async *stream(request): AsyncGenerator<ModelDelta> {
      open += 1
      most = Math.max(most, open)
      try {
        await new Promise<void>((resolve) => releases.push(resolve))
        yield {type: 'text', text: request.model}
        yield {type: 'done', finishReason: 'stop'}
      } finally {
        open -= 1
      }
    },
  }
  return {client, releaseAll: () => releases.splice(0).forEach((release) => release()), most: () => most}
}

async function drain(stream: AsyncIterable<ModelDelta>): Promise<ModelDelta[]> {
  const out: ModelDelta[] = []
  for await (const delta of stream) out.push(delta)
  return out
}

const request = {model: 'm', messages: [], tools: []}
const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('shareModelClient', () => {
  it('never lets more than `concurrency` requests stream at once', async () => {
    const inner = gatedClient()
    const shared = shareModelClient(inner.client, {concurrency: 2})
    const runs = Array.from({length: 5}, () => drain(shared.stream(request, new AbortController().signal)))
    for (let i = 0; i < 5; i++) {
      await tick()
      inner.releaseAll()
    }
    await Promise.all(runs)
    expect(inner.most()).toBe(2)
    expect(shared.load).toMatchObject({inFlight: 0, waiting: 0})
  })

  it('a 429 seen by one request holds back every request that starts before its retry-after has passed', async () => {
    let clock = 1000
    const started: number[] = []
    const inner: ModelClient = {
      model: 'm',
      async *stream() {
        started.push(clock)
        if (started.length === 1) yield {type: 'retry', attempt: 1, delayMs: 500, reason: 'HTTP 429'}
        yield {type: 'done', finishReason: 'stop'}
      },
    }
    const pauses: number[] = []
    const shared = shareModelClient(inner, {concurrency: 4, now: () => clock, onPause: (ms) => pauses.push(ms)})
    await drain(shared.stream(request, new AbortController().signal))
    expect(pauses).toEqual([500])
    const next = drain(shared.stream(request, new AbortController().signal))
    await tick()
    expect(started).toHaveLength(1)
    clock += 500
    await next
    expect(started).toEqual([1000, 1500])
  })

  it('withModel asks for another model through the same slots; an aborted wait leaves the queue', async () => {
    const inner = gatedClient()
    const shared = shareModelClient(inner.client, {concurrency: 1})
    const first = drain(shared.withModel('other').stream(request, new AbortController().signal))
    const abort = new AbortController()
    const second = drain(shared.stream(request, abort.signal))
    await tick()
    expect(shared.load.waiting).toBe(1)
    abort.abort(new Error('stop'))
    await expect(second).rejects.toThrow('stop')
    expect(shared.load.waiting).toBe(0)
    inner.releaseAll()
    expect((await first)[0]).toEqual({type: 'text', text: 'other'})
  })
})
