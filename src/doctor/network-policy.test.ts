import {describe, expect, it} from 'vitest'

import {checkNetworkPolicy} from './network-policy.js'

describe('the network policy check', () => {
  it('shows the policy in force and where it came from', () => {
    expect(checkNetworkPolicy('none', [])).toEqual({
      status: 'ok',
      summary: 'sandbox.network: none (no network) (default)',
    })
    expect(checkNetworkPolicy({allow: ['@npm', 'git.example.com:8443']}, ['/p/.qwen/settings.json'])).toEqual({
      status: 'ok',
      summary:
        'sandbox.network: allow: @npm, git.example.com:8443, through the session proxy (from /p/.qwen/settings.json)',
    })
    expect(checkNetworkPolicy('bridge', ['/home/u/.qwen/settings.json'])).toMatchObject({
      status: 'warn',
      summary: 'sandbox.network: bridge (everything) (from /home/u/.qwen/settings.json)',
    })
  })
})
