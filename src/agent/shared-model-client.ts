// One model client for many runs at once (agent batch): a cap on requests in flight, and a 429 from any run pauses all.
import type {ModelClient, ModelDelta, ModelRequest} from './model-client.js'

export interface SharedModelOptions {
  /** Most model requests streaming at once, across every run sharing the client. */
  concurrency: number
  /** Told when a 429 pauses every run (ms to wait), for a progress display. */
  onPause?: (delayMs: number, reason: string) => void
  now?: () => number
}

export interface SharedModelClient extends ModelClient {
  /** The same shared client asking for another model by name (a task's own model). */
  withModel(model: string): ModelClient
  /** Requests streaming now and requests waiting for a turn. */
  readonly load: {inFlight: number; waiting: number; pausedUntil: number}
}

/**
 * Wraps the client the auth provider made. Each request waits for a free slot and for any pause to end; when the
 * server says 429 (its retry-after, else the client's backoff), no request of any run starts until that time is past.
 * The run that got the 429 retries through the client's own backoff, as alone.
 */
export function shareModelClient(inner: ModelClient, options: SharedModelOptions): SharedModelClient {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error('concurrency must be >= 1')
  const now = options.now ?? Date.now
  let inFlight = 0
  let pausedUntil = 0
  const queue: {wake: () => void}[] = []

  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, ms)
      function done() {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      function onAbort() {
        clearTimeout(timer)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, {once: true})
    })

  /** Resolves once this request may go: a slot is free and no pause holds. */
  async function enter(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted()
      const wait = pausedUntil - now()
      if (wait > 0) {
        await sleep(wait, signal)
        continue
      }
      if (inFlight < options.concurrency) {
        inFlight += 1
        return
      }
      await new Promise<void>((resolve, reject) => {
        const entry = {
          wake: () => {
            signal.removeEventListener('abort', onAbort)
            resolve()
          },
        }
        const onAbort = () => {
          queue.splice(queue.indexOf(entry), 1)
          reject(signal.reason)
        }
        queue.push(entry)
        signal.addEventListener('abort', onAbort, {once: true})
      })
    }
  }

  function leave(): void {
    inFlight -= 1
    queue.shift()?.wake()
  }

  function pause(delayMs: number, reason: string): void {
    const until = now() + delayMs
    if (until <= pausedUntil) return
    pausedUntil = until
    options.onPause?.(delayMs, reason)
  }

  function streamAs(model: string) {
    return async function* stream(request: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelDelta> {
      await enter(signal)
      try {
        for await (const delta of inner.stream({...request, model}, signal)) {
          if (delta.type === 'retry' && /\b429\b/.test(delta.reason)) pause(delta.delayMs, delta.reason)
          yield delta
        }
      } finally {
        leave()
      }
    }
  }

  return {
    model: inner.model,
    stream: streamAs(inner.model),
    withModel: (model) => ({model, stream: streamAs(model)}),
    get load() {
      return {inFlight, waiting: queue.length, pausedUntil}
    },
  }
}
