// The OpenAI-compatible provider: where key, endpoint and model come from, and that the key is never shown.
import {describe, expect, it} from 'vitest'

import type {AuthConfig} from './auth-provider.js'
import {DEFAULT_OPENAI_MODEL, openAICompatibleProvider, resolveOpenAICredentials} from './openai-compatible-provider.js'

function cfg(partial: Partial<AuthConfig> = {}): AuthConfig {
  return {settings: {}, env: {}, ...partial}
}

describe('resolveOpenAICredentials', () => {
  it('reads OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL', () => {
    const creds = resolveOpenAICredentials(
      cfg({env: {OPENAI_API_KEY: 'sk', OPENAI_BASE_URL: 'http://h/v1', OPENAI_MODEL: 'm'}}),
    )
    expect(creds).toMatchObject({
      apiKey: 'sk',
      baseURL: 'http://h/v1',
      model: 'm',
      apiKeySource: 'environment variable OPENAI_API_KEY',
    })
  })

  it('names the .env file or the flag a value came from', () => {
    const creds = resolveOpenAICredentials(
      cfg({
        env: {OPENAI_API_KEY: 'sk', OPENAI_MODEL: 'x'},
        model: 'x',
        envSources: {OPENAI_API_KEY: '/p/.qwen/.env', OPENAI_MODEL: 'flag --model'},
      }),
    )
    expect(creds.apiKeySource).toBe('OPENAI_API_KEY in /p/.qwen/.env')
    expect(creds.modelSource).toBe('flag --model')
  })

  it('falls back to settings security.auth.apiKey/baseUrl and model.name, then the default model', () => {
    const settings = {security: {auth: {apiKey: 'sk-s', baseUrl: 'http://s/v1'}}, model: {name: 'sm'}}
    expect(resolveOpenAICredentials(cfg({settings}))).toMatchObject({
      apiKey: 'sk-s',
      baseURL: 'http://s/v1',
      model: 'sm',
      apiKeySource: 'settings security.auth.apiKey',
    })
    expect(resolveOpenAICredentials(cfg()).model).toBe(DEFAULT_OPENAI_MODEL)
  })

  it('lets the environment win over settings, and the requested model win over everything', () => {
    const settings = {security: {auth: {apiKey: 'sk-s'}}, model: {name: 'sm'}}
    const creds = resolveOpenAICredentials(
      cfg({settings, env: {OPENAI_API_KEY: 'sk-e', OPENAI_MODEL: 'em'}, model: 'flag-model'}),
    )
    expect(creds.apiKey).toBe('sk-e')
    expect(creds.model).toBe('flag-model')
  })

  it('treats an empty key as no key', () => {
    expect(openAICompatibleProvider.isConfigured(cfg({env: {OPENAI_API_KEY: '  '}}))).toBe(false)
  })
})

describe('openAICompatibleProvider', () => {
  it('reports status with the source and never the key', async () => {
    const status = await openAICompatibleProvider.status(
      cfg({env: {OPENAI_API_KEY: 'sk-secret-123', OPENAI_MODEL: 'm'}}),
    )
    expect(status.configured).toBe(true)
    expect(status.detail).toContain('environment variable OPENAI_API_KEY')
    expect(status.detail).not.toContain('sk-secret-123')
  })

  it('says how to configure when there is no key', async () => {
    const status = await openAICompatibleProvider.status(cfg())
    expect(status).toMatchObject({configured: false})
    expect(status.detail).toContain('OPENAI_API_KEY')
  })

  it('refuses to build a client without a key', async () => {
    await expect(openAICompatibleProvider.client(cfg())).rejects.toThrow(/OPENAI_API_KEY is not set/)
  })

  it('builds a client with the resolved model', async () => {
    const client = await openAICompatibleProvider.client(
      cfg({env: {OPENAI_API_KEY: 'sk', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1'}, model: 'mm'}),
    )
    expect(client.model).toBe('mm')
  })
})

describe('the credential route (a key goes only where an equally trusted source points it)', () => {
  const untrustedURL = {
    env: {OPENAI_API_KEY: 'sk-user', OPENAI_BASE_URL: 'http://evil/v1'},
    envSources: {OPENAI_BASE_URL: '/p/.env'},
    envTrust: {OPENAI_BASE_URL: 'untrusted-folder' as const},
  }

  it("refuses the user's key to a base URL from an untrusted folder's .env, saying why and what to do", async () => {
    const error = await openAICompatibleProvider.client(cfg(untrustedURL)).catch((e: unknown) => e)
    expect((error as {exitCode: number}).exitCode).toBe(4)
    expect((error as {oneLine(): string}).oneLine()).toBe(
      'Refusing to send OPENAI_API_KEY (environment variable OPENAI_API_KEY) to http://evil/v1: that endpoint comes from /p/.env, in a folder you have not trusted. ' +
        'If you chose that endpoint, trust the folder (agent trust /p); otherwise set OPENAI_BASE_URL (or security.auth.baseUrl) in your environment or ~/.qwen/settings.json, or put the key beside it in that file',
    )
    expect((await openAICompatibleProvider.status(cfg(untrustedURL))).configured).toBe(false)
  })

  it("refuses a key from the user's settings the same way", async () => {
    const config = cfg({
      ...untrustedURL,
      env: {OPENAI_BASE_URL: 'http://evil/v1'},
      settings: {security: {auth: {apiKey: 'sk-s'}}},
    })
    await expect(openAICompatibleProvider.client(config)).rejects.toThrow(/^Refusing to send OPENAI_API_KEY/)
  })

  it("lets a project .env carry its own key and URL together, and a trusted folder point the user's key", async () => {
    const together = cfg({
      env: {OPENAI_API_KEY: 'sk-p', OPENAI_BASE_URL: 'http://p/v1'},
      envSources: {OPENAI_API_KEY: '/p/.env', OPENAI_BASE_URL: '/p/.env'},
      envTrust: {OPENAI_API_KEY: 'untrusted-folder', OPENAI_BASE_URL: 'untrusted-folder'},
    })
    await expect(openAICompatibleProvider.client(together)).resolves.toBeDefined()
    const trusted = cfg({...untrustedURL, envTrust: {OPENAI_BASE_URL: 'trusted-folder'}})
    await expect(openAICompatibleProvider.client(trusted)).resolves.toBeDefined()
  })
})
