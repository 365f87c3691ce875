// Control requests we send to the SDK (can_use_tool) and the responses that settle them, matched by request_id.
import {randomUUID} from 'node:crypto'

import type {ControlResponse} from './inbound-messages.js'

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
}

export class ControlChannel {
  private readonly pending = new Map<string, Pending>()
  /** Requests we cancelled: the SDK may still answer them (its callback ran on), and that answer is no error. */
  private readonly cancelled = new Set<string>()
  private closedReason: string | undefined

  constructor(private readonly write: (message: object) => void) {}

  /** Sends `subtype` and waits for its response; aborting sends control_cancel_request and rejects. */
  request(subtype: string, payload: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    if (this.closedReason !== undefined) return Promise.reject(new Error(this.closedReason))
    if (signal.aborted) return Promise.reject(new Error('cancelled'))
    const id = randomUUID()
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id)
        this.cancelled.add(id)
        this.write({type: 'control_cancel_request', request_id: id})
        reject(new Error('cancelled'))
      }
      signal.addEventListener('abort', onAbort, {once: true})
      this.pending.set(id, {
        resolve: (value) => {
          signal.removeEventListener('abort', onAbort)
          resolve(value)
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort)
          reject(error)
        },
      })
      this.write({type: 'control_request', request_id: id, request: {subtype, ...payload}})
    })
  }

  /** Settles the request a response answers; false when no request of ours has that id. */
  settle(message: ControlResponse): boolean {
    const {request_id: id, subtype} = message.response
    if (this.cancelled.delete(id)) return true
    const waiting = this.pending.get(id)
    if (!waiting) return false
    this.pending.delete(id)
    if (subtype === 'success') waiting.resolve(message.response.response)
    else waiting.reject(new Error(errorText(message.response.error)))
    return true
  }

  /** The SDK can no longer answer (its input closed): every waiting request fails with `reason`, and later ones too. */
  close(reason: string): void {
    this.closedReason = reason
    for (const waiting of this.pending.values()) waiting.reject(new Error(reason))
    this.pending.clear()
  }
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error
  const message = (error as {message?: unknown} | undefined)?.message
  return typeof message === 'string' ? message : 'the SDK answered with an error'
}
