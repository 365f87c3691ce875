// authStatus for `agent doctor`: configured or not, which provider, which source, and never the key.
import {describe, expect, it} from 'vitest'

import type {AuthConfig, AuthProvider} from './auth-provider.js'
import {authStatus} from './auth-status.js'
import {createAuthRegistry} from './create-auth-registry.js'

function cfg(partial: Partial<AuthConfig> = {}): AuthConfig {
  return {settings: {}, env: {}, ...partial}
}

describe('authStatus', () => {
  it('names the provider and the .env file the key came from', async () => {
    const report = await authStatus(
      cfg({env: {OPENAI_API_KEY: 'sk-very-secret'}, envSources: {OPENAI_API_KEY: '/p/.qwen/.env'}}),
      createAuthRegistry(),
    )
    expect(report.configured).toBe(true)
    expect(report.provider).toBe('openai-compatible')
    expect(report.summary).toContain('OPENAI_API_KEY in /p/.qwen/.env')
    expect(JSON.stringify(report)).not.toContain('sk-very-secret')
  })

  it('says how to configure when nothing is', async () => {
    const report = await authStatus(cfg(), createAuthRegistry())
    expect(report).toMatchObject({configured: false, provider: undefined})
    expect(report.summary).toContain('Set OPENAI_API_KEY')
    expect(report.providers).toEqual([expect.objectContaining({id: 'openai-compatible', configured: false})])
  })

  it('uses isConfigured for providers without status() and notes a headless fallback', async () => {
    const oauth: AuthProvider = {
      id: 'qwen-oauth',
      describe: () => 'Qwen OAuth',
      isConfigured: () => false,
      client: async () => ({model: 'x', stream: async function* () {}}),
    }
    const report = await authStatus(
      cfg({env: {OPENAI_API_KEY: 'k'}, authType: 'qwen-oauth'}),
      createAuthRegistry([{provider: oauth, source: 'p'}]),
    )
    expect(report.providers[1]).toMatchObject({id: 'qwen-oauth', configured: false, detail: 'not configured'})
    expect(report.summary).toMatch(/used instead of "qwen-oauth"/)
  })
})
