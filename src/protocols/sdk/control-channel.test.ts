import {describe, expect, it} from 'vitest'

import {ControlChannel} from './control-channel.js'

const answer = (id: string, subtype: 'success' | 'error' = 'success') => ({
  type: 'control_response' as const,
  response: {subtype, request_id: id, response: {behavior: 'allow'}},
})

describe('ControlChannel', () => {
  it('settles a request by its id and knows no other id', async () => {
    const sent: {request_id: string}[] = []
    const channel = new ControlChannel((message) => sent.push(message as {request_id: string}))
    const pending = channel.request('can_use_tool', {tool_name: 'x'}, new AbortController().signal)
    const id = sent[0]?.request_id ?? ''
    expect(channel.settle(answer('not-ours'))).toBe(false)
    expect(channel.settle(answer(id))).toBe(true)
    await expect(pending).resolves.toEqual({behavior: 'allow'})
    expect(channel.settle(answer(id))).toBe(false)
  })

  it('sends control_cancel_request on abort, and takes the late answer to it quietly', async () => {
    const sent: {type: string; request_id: string}[] = []
    const channel = new ControlChannel((message) => sent.push(message as {type: string; request_id: string}))
    const abort = new AbortController()
    const pending = channel.request('can_use_tool', {}, abort.signal)
    abort.abort()
    await expect(pending).rejects.toThrow('cancelled')
    const id = sent[0]?.request_id ?? ''
    expect(sent[1]).toEqual({type: 'control_cancel_request', request_id: id})
    expect(channel.settle(answer(id))).toBe(true)
    expect(channel.settle(answer(id))).toBe(false)
  })
})
