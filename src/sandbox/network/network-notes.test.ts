import {describe, expect, it} from 'vitest'

import type {ProxyRequestEvent, RefusalReason} from './egress-proxy.js'
import {networkNotes, refusedDestinations} from './network-notes.js'

const event = (fields: Partial<ProxyRequestEvent>): ProxyRequestEvent => ({
  type: 'request',
  method: 'CONNECT',
  host: 'pkgs.example.org',
  port: 443,
  allowed: false,
  bytesUp: 0,
  bytesDown: 0,
  ms: 1,
  ...fields,
})

describe('networkNotes', () => {
  it('explains a refusal once, however often the client retried', () => {
    const refused = event({reason: 'not-allowed'})
    expect(networkNotes({events: [refused, refused, refused], proxyDown: undefined, output: '', failed: true})).toEqual(
      [
        'network: refused pkgs.example.org:443 (not in sandbox.network.allow; add it, or run with --allow-host pkgs.example.org)',
      ],
    )
  })

  it('says nothing about requests that went well', () => {
    expect(networkNotes({events: [event({allowed: true})], proxyDown: undefined, output: '', failed: false})).toEqual(
      [],
    )
  })

  it('points a program that tried DNS or a direct route at the proxy', () => {
    const notes = networkNotes({
      events: [],
      proxyDown: undefined,
      output: 'curl: (6) Could not resolve host: example.org',
      failed: true,
    })
    expect(notes[0]).toContain('network: the sandbox has no DNS and no route out')
    expect(networkNotes({events: [], proxyDown: undefined, output: 'Could not resolve host', failed: false})).toEqual(
      [],
    )
  })

  it('says when the proxy is gone', () => {
    expect(networkNotes({events: [], proxyDown: 'the network proxy stopped', output: '', failed: true})).toEqual([
      'network: the network proxy stopped; nothing in the sandbox can connect out for the rest of this session',
    ])
  })

  it('caps the list', () => {
    const many = Array.from({length: 15}, (_, i) => event({host: `h${i}.example.org`, reason: 'not-allowed'}))
    const notes = networkNotes({events: many, proxyDown: undefined, output: '', failed: true})
    expect(notes).toHaveLength(11)
    expect(notes.at(-1)).toBe('network: (5 more)')
  })
})

describe('refusedDestinations', () => {
  it('lists the hosts a user could allow, once each, and not the other refusals', () => {
    const event = (host: string, port: number, reason?: RefusalReason): ProxyRequestEvent => ({
      type: 'request',
      method: 'CONNECT',
      host,
      port,
      allowed: reason === undefined,
      ...(reason ? {reason} : {}),
      bytesUp: 0,
      bytesDown: 0,
      ms: 1,
    })
    expect(
      refusedDestinations([
        event('a.test', 443, 'not-allowed'),
        event('a.test', 443, 'not-allowed'),
        event('b.test', 8443, 'port'),
        event('10.0.0.1', 80, 'ip-literal'),
        event('c.test', 443, 'private-address'),
        event('d.test', 443),
      ]),
    ).toEqual([
      {host: 'a.test', port: 443},
      {host: 'b.test', port: 8443},
    ])
  })
})
