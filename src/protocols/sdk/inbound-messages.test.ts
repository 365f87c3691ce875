import {describe, expect, it} from 'vitest'

import {parseInbound} from './inbound-messages.js'

describe('parseInbound', () => {
  it('reads user messages as text, string or blocks, naming blocks it drops', () => {
    expect(parseInbound(JSON.stringify({type: 'user', message: {role: 'user', content: 'hi'}}))).toEqual({
      kind: 'user',
      text: 'hi',
      dropped: [],
    })
    const blocks = {
      type: 'user',
      message: {content: [{type: 'text', text: 'a'}, {type: 'image'}, {type: 'text', text: 'b'}]},
    }
    expect(parseInbound(JSON.stringify(blocks))).toEqual({kind: 'user', text: 'a\nb', dropped: ['image']})
  })

  it('explains what it cannot use in one line', () => {
    expect(parseInbound('{oops')).toEqual({kind: 'invalid', problem: 'not JSON: {oops'})
    expect(parseInbound('{"type":"x"}')).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('unknown message type "x"'),
    })
    expect(parseInbound('[1]')).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('unknown message type null'),
    })
  })

  it('keeps the request id of a malformed control request so the answer can name it', () => {
    expect(parseInbound(JSON.stringify({type: 'control_request', request_id: 'r1', request: {}}))).toMatchObject({
      kind: 'invalid',
      requestId: 'r1',
      problem: expect.stringContaining('request.subtype'),
    })
  })
})
