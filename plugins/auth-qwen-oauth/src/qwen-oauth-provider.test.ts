// The Qwen OAuth provider against a local fake authorization server: every outcome of login, refresh and its failure.
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'

import type {AuthProvider, AuthProviderConfig, LoginIO} from 'sandboxed-agent/plugin'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {challengeFor} from './lib/pkce.js'
import {createQwenOAuthProvider, endpointFor, type QwenOAuthProviderOptions} from './qwen-oauth-provider.js'
import {startFakeAuthServer, type FakeAuthServer} from './test-support/fake-auth-server.js'

const token = (access: string, extra: Record<string, unknown> = {}) => ({
  body: {
    access_token: access,
    refresh_token: `refresh-${access}`,
    token_type: 'Bearer',
    expires_in: 3600,
    resource_url: 'portal.example',
    ...extra,
  },
})

let home: string
let server: FakeAuthServer
let clock: number
let sleeps: number[]
let lines: string[]
let opened: string[]

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'qwen-oauth-test-'))
  server = await startFakeAuthServer()
  clock = 1_000_000
  sleeps = []
  lines = []
  opened = []
})

afterEach(async () => {
  await server[Symbol.asyncDispose]()
  fs.rmSync(home, {recursive: true, force: true})
})

function config(): AuthProviderConfig {
  return {
    settings: {},
    env: {QWEN_OAUTH_DEVICE_CODE_ENDPOINT: server.deviceCodeEndpoint, QWEN_OAUTH_TOKEN_ENDPOINT: server.tokenEndpoint},
  }
}

function provider(extra: QwenOAuthProviderOptions = {}): AuthProvider & Required<Pick<AuthProvider, 'login'>> {
  return createQwenOAuthProvider({
    home,
    now: () => clock,
    // Time passes only when the flow waits: polls are real HTTP, intervals are recorded instead of slept.
    sleep: async (ms) => {
      sleeps.push(ms)
      clock += ms
    },
    openBrowser: async (url) => {
      opened.push(url)
      return true
    },
    browserAvailable: () => true,
    ...extra,
  }) as AuthProvider & Required<Pick<AuthProvider, 'login'>>
}

function io(interactive = true): LoginIO {
  return {info: (line) => lines.push(line), interactive, signal: new AbortController().signal}
}

const credsFile = () => path.join(home, '.qwen', 'oauth_creds.json')
const readCreds = () => JSON.parse(fs.readFileSync(credsFile(), 'utf8')) as Record<string, unknown>

function writeCreds(creds: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(credsFile()), {recursive: true})
  fs.writeFileSync(credsFile(), JSON.stringify(creds), {mode: 0o600})
}

describe('qwen-oauth login (device flow with PKCE)', () => {
  it('succeeds: sends an S256 challenge, shows the code, opens the browser, caches credentials with mode 0600', async () => {
    server.pollReplies = [token('at-1')]
    const qwen = provider()
    expect(await qwen.isConfigured(config())).toBe(false)
    await qwen.login(io(), config())

    const [device, poll] = server.requests
    expect(device?.form).toMatchObject({
      client_id: 'f0304373b74a44d2b584a3fb70ca9e56',
      code_challenge_method: 'S256',
      scope: 'openid profile email model.completion',
    })
    expect(poll?.form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: 'dev-123',
    })
    expect(challengeFor(poll!.form.code_verifier!)).toBe(device!.form.code_challenge)

    expect(opened).toEqual(['https://auth.example/device?user_code=ABCD-EFGH'])
    expect(lines.join('\n')).toContain('ABCD-EFGH')
    expect(readCreds()).toMatchObject({
      access_token: 'at-1',
      refresh_token: 'refresh-at-1',
      resource_url: 'portal.example',
      expiry_date: clock + 3_600_000,
    })
    expect(fs.statSync(credsFile()).mode & 0o777).toBe(0o600)
    expect(fs.readdirSync(path.dirname(credsFile()))).toEqual(['oauth_creds.json'])
    expect(await qwen.isConfigured(config())).toBe(true)
  })

  it('prints the URL and code without opening a browser when not interactive', async () => {
    server.pollReplies = [token('at-1')]
    await provider().login(io(false), config())
    expect(opened).toEqual([])
    expect(lines).toContain('  https://auth.example/device?user_code=ABCD-EFGH')
  })

  it('keeps polling while authorization is pending, at the server interval', async () => {
    server.pollReplies = [
      {body: {error: 'authorization_pending'}},
      {body: {error: 'authorization_pending'}},
      token('at-2'),
    ]
    await provider().login(io(), config())
    expect(sleeps).toEqual([2000, 2000, 2000])
    expect(readCreds().access_token).toBe('at-2')
  })

  it('slows down by 5 seconds each time the server says slow_down', async () => {
    server.pollReplies = [{body: {error: 'slow_down'}}, {body: {error: 'slow_down'}}, token('at-3')]
    await provider().login(io(), config())
    expect(sleeps).toEqual([2000, 7000, 12000])
  })

  it('stops when the user denies access, caching nothing', async () => {
    server.pollReplies = [{body: {error: 'authorization_pending'}}, {body: {error: 'access_denied'}}]
    await expect(provider().login(io(), config())).rejects.toThrow('the login was denied')
    expect(fs.existsSync(credsFile())).toBe(false)
  })

  it('stops when the server says the device code expired', async () => {
    server.pollReplies = [{body: {error: 'expired_token'}}]
    await expect(provider().login(io(), config())).rejects.toThrow('the device code expired')
  })

  it("stops by itself once the device code's expires_in has passed", async () => {
    server.deviceReply.body = {...server.deviceReply.body, expires_in: 5, interval: 2}
    server.pollReplies = [{body: {error: 'authorization_pending'}}]
    await expect(provider().login(io(), config())).rejects.toThrow('the device code expired')
    expect(server.requests.filter((r) => r.path === '/token')).toHaveLength(2)
  })
})

describe('qwen-oauth tokens', () => {
  it('uses a fresh cached token without calling the server', async () => {
    writeCreds({
      access_token: 'cached',
      refresh_token: 'r',
      token_type: 'Bearer',
      expiry_date: clock + 3_600_000,
      resource_url: 'portal.example',
    })
    const client = await provider().client(config())
    expect(client.model).toBe('qwen3-coder-plus')
    expect(server.requests).toEqual([])
  })

  it('refreshes shortly before expiry and caches the new token atomically', async () => {
    writeCreds({access_token: 'old', refresh_token: 'r-old', token_type: 'Bearer', expiry_date: clock + 60_000})
    server.refreshReplies = [{body: {access_token: 'new', expires_in: 7200, token_type: 'Bearer'}}]
    await provider().client(config())
    expect(server.requests.map((r) => r.form)).toEqual([
      {grant_type: 'refresh_token', refresh_token: 'r-old', client_id: 'f0304373b74a44d2b584a3fb70ca9e56'},
    ])
    expect(readCreds()).toMatchObject({access_token: 'new', refresh_token: 'r-old', expiry_date: clock + 7_200_000})
    expect(fs.statSync(credsFile()).mode & 0o777).toBe(0o600)
    expect(fs.existsSync(`${credsFile()}.lock`)).toBe(false)
  })

  it('refreshes once when two processes need it at the same time (the second re-reads after the lock)', async () => {
    writeCreds({access_token: 'old', refresh_token: 'r-old', token_type: 'Bearer', expiry_date: clock - 1})
    server.refreshReplies = [{body: {access_token: 'new', refresh_token: 'r-new', expires_in: 3600}, delayMs: 300}]
    const lock = {pollMs: 20}
    await Promise.all([provider({lock}).client(config()), provider({lock}).client(config())])
    expect(server.requests.filter((r) => r.form.grant_type === 'refresh_token')).toHaveLength(1)
    expect(readCreds()).toMatchObject({access_token: 'new', refresh_token: 'r-new'})
  })

  it('takes over a stale lock left by a crashed process', async () => {
    writeCreds({access_token: 'old', refresh_token: 'r-old', token_type: 'Bearer', expiry_date: clock - 1})
    fs.writeFileSync(`${credsFile()}.lock`, '999999')
    const past = new Date(Date.now() - 120_000)
    fs.utimesSync(`${credsFile()}.lock`, past, past)
    server.refreshReplies = [token('new')]
    await provider({lock: {staleMs: 30_000, pollMs: 20}}).client(config())
    expect(readCreds().access_token).toBe('new')
  })

  it('clears the cache and says to log in again when the refresh token is dead', async () => {
    writeCreds({access_token: 'old', refresh_token: 'r-dead', token_type: 'Bearer', expiry_date: clock - 1})
    server.refreshReplies = [{body: {error: 'invalid_grant', error_description: 'refresh token revoked'}}]
    const qwen = provider()
    const error = await qwen.client(config()).catch((e: unknown) => e)
    expect((error as {oneLine(): string}).oneLine()).toBe(
      'The Qwen OAuth session has expired or was revoked; the cached credentials were removed. Log in again with `agent auth login --provider qwen-oauth`',
    )
    expect(fs.existsSync(credsFile())).toBe(false)
    expect(await qwen.isConfigured(config())).toBe(false)
  })

  it("never sends the refresh token to an endpoint from an untrusted folder (the user's own endpoint is used)", async () => {
    writeCreds({access_token: 'old', refresh_token: 'r-users', token_type: 'Bearer', expiry_date: clock - 1})
    await using attacker = await startFakeAuthServer()
    attacker.refreshReplies = [{status: 400, body: {error: 'invalid_grant'}}]
    server.refreshReplies = [token('new')]
    const hostile: AuthProviderConfig = {
      settings: {security: {auth: {qwenOAuth: {tokenEndpoint: server.tokenEndpoint}}}},
      env: {QWEN_OAUTH_TOKEN_ENDPOINT: attacker.tokenEndpoint, QWEN_OAUTH_DEFAULT_BASE_URL: 'http://127.0.0.1:9/v1'},
      envTrust: {QWEN_OAUTH_TOKEN_ENDPOINT: 'untrusted-folder', QWEN_OAUTH_DEFAULT_BASE_URL: 'untrusted-folder'},
    }
    await provider().client(hostile)
    expect(attacker.requests).toEqual([])
    expect(server.requests.map((r) => r.form.refresh_token)).toEqual(['r-users'])
    expect(readCreds().access_token).toBe('new')
  })

  it('keeps the login when an endpoint the user did not choose refuses the refresh', async () => {
    writeCreds({access_token: 'old', refresh_token: 'r', token_type: 'Bearer', expiry_date: clock - 1})
    server.refreshReplies = [{status: 400, body: {error: 'invalid_grant'}}]
    const fromProject: AuthProviderConfig = {...config(), envTrust: {QWEN_OAUTH_TOKEN_ENDPOINT: 'trusted-folder'}}
    await expect(provider().client(fromProject)).rejects.toThrow(/the cached login is kept/)
    expect(readCreds().refresh_token).toBe('r')
  })

  it('keeps the cache on a transient refresh failure', async () => {
    writeCreds({access_token: 'old', refresh_token: 'r', token_type: 'Bearer', expiry_date: clock - 1})
    server.refreshReplies = [{status: 503, body: {error: 'temporarily_unavailable'}}]
    await expect(provider().client(config())).rejects.toThrow('refreshing the token failed (temporarily_unavailable)')
    expect(fs.existsSync(credsFile())).toBe(true)
  })

  it('logs out by removing the cache, and reports status without secrets', async () => {
    writeCreds({
      access_token: 'secret-token',
      refresh_token: 'secret-refresh',
      token_type: 'Bearer',
      expiry_date: clock + 600_000,
    })
    const qwen = provider()
    const status = await qwen.status!(config())
    expect(status.configured).toBe(true)
    expect(status.detail).not.toContain('secret')
    await qwen.logout!(config())
    expect(fs.existsSync(credsFile())).toBe(false)
    await expect(qwen.client(config())).rejects.toThrow('Not logged in with Qwen OAuth')
  })
})

describe('qwen-oauth model client', () => {
  it('calls the resource_url endpoint with the access token, refreshing it between turns when it expires', async () => {
    const seen: string[] = []
    const api = http.createServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization}`)
      request.resume()
      response.writeHead(200, {'content-type': 'text/event-stream'})
      response.end(
        'data: {"id":"1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      )
    })
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve))
    try {
      const resource = `http://127.0.0.1:${(api.address() as AddressInfo).port}`
      writeCreds({
        access_token: 'at-1',
        refresh_token: 'r',
        token_type: 'Bearer',
        expiry_date: clock + 3_600_000,
        resource_url: resource,
      })
      server.refreshReplies = [token('at-2', {resource_url: resource})]
      const client = await provider().client({...config(), model: 'coder-model'})
      const turn = async () => {
        const texts: string[] = []
        for await (const delta of client.stream(
          {model: 'coder-model', messages: [{role: 'user', content: 'x'}], tools: []},
          new AbortController().signal,
        )) {
          if (delta.type === 'text') texts.push(delta.text)
        }
        return texts.join('')
      }
      expect(await turn()).toBe('hi')
      clock += 3_600_000
      expect(await turn()).toBe('hi')
      expect(seen).toEqual(['POST /v1/chat/completions Bearer at-1', 'POST /v1/chat/completions Bearer at-2'])
    } finally {
      api.closeAllConnections()
      await new Promise<void>((resolve) => api.close(() => resolve()))
    }
  })
})

describe('endpointFor', () => {
  it.each([
    ['portal.qwen.ai', 'https://portal.qwen.ai/v1'],
    ['https://portal.qwen.ai/v1/', 'https://portal.qwen.ai/v1'],
    ['http://127.0.0.1:9/x', 'http://127.0.0.1:9/x/v1'],
    [undefined, 'https://fallback/v1'],
  ])('%s -> %s', (resource, expected) => expect(endpointFor(resource, 'https://fallback/v1')).toBe(expected))
})
