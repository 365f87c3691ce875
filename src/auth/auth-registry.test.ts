// Provider selection: by name, by Qwen Code's stored type, first configured, and the headless rule.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it, vi} from 'vitest'

import type {ModelClient} from '../agent/model-client.js'
import {loadConfig} from '../config/load-config.js'
import {AuthError, UserInputError} from '../errors.js'
import type {AuthConfig, AuthProvider, LoginIO} from './auth-provider.js'
import {CONFIGURE_AUTH_HINT} from './auth-provider.js'
import {AuthRegistry} from './auth-registry.js'
import {createAuthRegistry} from './create-auth-registry.js'

const fakeClient: ModelClient = {model: 'fake', stream: async function* () {}}

function oauthProvider(configured: boolean): AuthProvider & {login: ReturnType<typeof vi.fn>} {
  return {
    id: 'qwen-oauth',
    describe: () => 'Qwen OAuth',
    isConfigured: async () => configured,
    login: vi.fn(async () => {}),
    client: async () => fakeClient,
  }
}

function cfg(partial: Partial<AuthConfig> = {}): AuthConfig {
  return {settings: {}, env: {}, ...partial}
}

const withKey = {env: {OPENAI_API_KEY: 'sk-test'}}

describe('AuthRegistry.select', () => {
  it('uses the OpenAI-compatible provider when a key is set', async () => {
    const selection = await createAuthRegistry().select(cfg(withKey), {interactive: false})
    expect(selection).toMatchObject({configured: true, reason: 'first-configured'})
    expect(selection?.provider.id).toBe('openai-compatible')
  })

  it('non-interactive with no key: AuthError whose one line says how to configure authentication', async () => {
    const error = await createAuthRegistry()
      .select(cfg(), {interactive: false})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthError)
    const line = (error as AuthError).oneLine()
    expect(line).toBe(`No credentials for the model. ${CONFIGURE_AUTH_HINT}`)
    expect(line).toContain('OPENAI_API_KEY')
    expect(line).toContain('.qwen/.env')
    expect(line).toContain('agent auth login')
    expect(line).not.toContain('\n')
    expect((error as AuthError).exitCode).not.toBe(0)
  })

  it('interactive with nothing configured: no selection, the caller offers a choice', async () => {
    expect(await createAuthRegistry().select(cfg(), {interactive: true})).toBeUndefined()
  })

  it("maps Qwen Code's stored type `openai` to the OpenAI-compatible provider", async () => {
    const registry = createAuthRegistry([{provider: oauthProvider(true), source: 'p'}])
    const selection = await registry.select(cfg({...withKey, authType: 'openai'}), {interactive: false})
    expect(selection?.provider.id).toBe('openai-compatible')
  })

  it('uses the requested provider when it is configured, even if another one is too', async () => {
    const registry = createAuthRegistry([{provider: oauthProvider(true), source: 'p'}])
    const selection = await registry.select(cfg({...withKey, authType: 'qwen-oauth'}), {interactive: false})
    expect(selection).toMatchObject({configured: true, reason: 'requested'})
    expect(selection?.provider.id).toBe('qwen-oauth')
  })

  it('headless: a requested provider that needs a login falls back to the OpenAI-compatible variables', async () => {
    const registry = createAuthRegistry([{provider: oauthProvider(false), source: 'p'}])
    const selection = await registry.select(cfg({...withKey, authType: 'qwen-oauth'}), {interactive: false})
    expect(selection).toMatchObject({reason: 'headless-fallback'})
    expect(selection?.provider.id).toBe('openai-compatible')
  })

  it('headless: a requested provider that needs a login and no key: AuthError naming the provider', async () => {
    const registry = createAuthRegistry([{provider: oauthProvider(false), source: 'p'}])
    await expect(registry.select(cfg({authType: 'qwen-oauth'}), {interactive: false})).rejects.toThrow(
      /"qwen-oauth" needs an interactive login/,
    )
  })

  it('headless: the OpenAI-compatible provider chosen and no key: names the variables to set and where', async () => {
    const registry = createAuthRegistry([{provider: oauthProvider(false), source: 'p'}])
    const error = await registry.select(cfg({authType: 'openai-compatible'}), {interactive: false}).catch((e) => e)
    expect(String(error)).not.toMatch(/interactive login/)
    expect((error as AuthError).oneLine()).toMatch(
      /"openai-compatible" is not configured.*OPENAI_API_KEY.*\.qwen\/\.env/,
    )
  })

  it('interactive: a requested provider that is not configured is returned so it can log in', async () => {
    const registry = createAuthRegistry([{provider: oauthProvider(false), source: 'p'}])
    const selection = await registry.select(cfg({...withKey, authType: 'qwen-oauth'}), {interactive: true})
    expect(selection).toMatchObject({configured: false, reason: 'requested'})
  })

  it('refuses an unknown --auth with exit code 2 and lists the known ones', async () => {
    const error = await createAuthRegistry()
      .select(cfg({...withKey, flags: {auth: 'nope'}, authType: 'nope'}), {interactive: false})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserInputError)
    expect((error as UserInputError).oneLine()).toBe(
      'Unknown authentication method "nope". Use one of: openai-compatible',
    )
  })

  it('ignores an unknown selectedType from settings (Qwen Code may store types we have no provider for)', async () => {
    const selection = await createAuthRegistry().select(cfg({...withKey, authType: 'vertex-ai'}), {interactive: false})
    expect(selection?.provider.id).toBe('openai-compatible')
  })

  it('refuses two providers with the same id', () => {
    const registry = new AuthRegistry().register(oauthProvider(true), 'a')
    expect(() => registry.register(oauthProvider(true), 'b')).toThrow(/clashes/)
  })
})

describe('AuthRegistry.resolveClient', () => {
  const io: LoginIO = {info: () => {}, interactive: true, signal: new AbortController().signal}

  it('logs in first when interactive and the provider can', async () => {
    const provider = oauthProvider(false)
    const registry = createAuthRegistry([{provider, source: 'p'}])
    expect(await registry.resolveClient(cfg({authType: 'qwen-oauth'}), {interactive: true, io})).toBe(fakeClient)
    expect(provider.login).toHaveBeenCalledOnce()
  })

  it('fails with the how-to line when nothing can be used', async () => {
    await expect(createAuthRegistry().resolveClient(cfg(), {interactive: true, io})).rejects.toThrow(AuthError)
  })
})

describe('with a real AgentConfig', () => {
  it('accepts loadConfig output and reads the key from .qwen/.env', async () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'auth-')))
    try {
      fs.mkdirSync(path.join(root, 'p', '.qwen'), {recursive: true})
      fs.mkdirSync(path.join(root, 'h'))
      fs.writeFileSync(path.join(root, 'p', '.qwen', '.env'), 'OPENAI_API_KEY=sk-file\n')
      const config: AuthConfig = loadConfig({cwd: path.join(root, 'p'), home: path.join(root, 'h'), env: {}})
      const selection = await createAuthRegistry().select(config, {interactive: false})
      expect(selection?.provider.id).toBe('openai-compatible')
    } finally {
      fs.rmSync(root, {recursive: true, force: true})
    }
  })
})
