// The hook contributes one valid provider whose credentials live under the home the host passes.
import {describe, expect, it} from 'vitest'

import hook from './auth.js'

describe('agent:auth hook of @sandboxed-agent/auth-qwen-oauth', () => {
  it('returns the qwen-oauth provider', async () => {
    const run = hook as unknown as (options: {
      home: string
      settings: Record<string, unknown>
    }) => Promise<{id: string}[]>
    const providers = await run({home: '/nonexistent-home', settings: {}})
    expect(providers.map((provider) => provider.id)).toEqual(['qwen-oauth'])
  })
})
