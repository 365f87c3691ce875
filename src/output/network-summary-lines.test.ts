import {describe, expect, it} from 'vitest'

import {networkSummaryLines} from './network-summary-lines.js'
import {resultMessageSchema} from './stream-json-schema.js'
import {StreamJsonTranslator} from './stream-json-translator.js'

const summary = {
  hosts: {
    'web.test:80': {allowed: 3, refused: 0, bytesUp: 300, bytesDown: 2048},
    'other.test:443': {allowed: 0, refused: 2, bytesUp: 0, bytesDown: 0},
  },
}

describe('the network summary', () => {
  it('counts requests per host for people', () => {
    expect(networkSummaryLines(summary)).toEqual(['Network: web.test:80 3 allowed (2.3 KB) · other.test:443 2 refused'])
    expect(networkSummaryLines({hosts: {}, proxyDown: 'the network proxy stopped'})).toEqual([
      'Network: no requests',
      'Network: the network proxy stopped during the run; later commands had no network',
    ])
  })

  it('is in the stream-json result message', () => {
    const translator = new StreamJsonTranslator({sessionId: 's'})
    translator.translate({type: 'network_summary', summary: {...summary, proxyDown: 'the network proxy stopped'}})
    translator.translate({
      type: 'run_finished',
      reason: 'completed',
      turns: 1,
      usage: {inputTokens: 1, outputTokens: 1},
      durationMs: 5,
    })
    const result = resultMessageSchema.parse(translator.result())
    expect(result.network).toEqual({
      hosts: {
        'web.test:80': {allowed: 3, refused: 0, bytes_up: 300, bytes_down: 2048},
        'other.test:443': {allowed: 0, refused: 2, bytes_up: 0, bytes_down: 0},
      },
      proxy_down: 'the network proxy stopped',
    })
  })
})
