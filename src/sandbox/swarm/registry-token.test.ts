import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {registryClient, registryImageLabels, RegistryLoginError} from './registry-client.js'
import {parseBearerChallenge} from './registry-token.js'

/**
 * A token-auth registry on loopback, as the distribution token spec has it: the API answers 401 with a Bearer challenge
 * naming the token realm; the realm gives a token for a login (GET, basic) or a refresh token (POST, OAuth2 form).
 */
function tokenRegistry() {
  const seen: string[] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
    if (url.pathname === '/token') {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      req.on('end', () => {
        const form = new URLSearchParams(req.method === 'POST' ? body : url.search)
        const basic = Buffer.from('agent:secret').toString('base64')
        const granted =
          req.method === 'POST'
            ? form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'refresh-1'
            : req.headers.authorization === `Basic ${basic}`
        seen.push(`${req.method} token ${form.get('service')} ${form.get('scope')} ${granted ? 'granted' : 'refused'}`)
        if (!granted) return void res.writeHead(401).end()
        res.writeHead(200, {'content-type': 'application/json'})
        res.end(JSON.stringify(req.method === 'POST' ? {access_token: 'tok-1'} : {token: 'tok-1'}))
      })
      return
    }
    const scope = 'repository:sandbox:pull'
    if (req.headers.authorization !== 'Bearer tok-1') {
      seen.push(`${req.method} ${url.pathname} 401`)
      res.writeHead(401, {'www-authenticate': `Bearer realm="${realm}",service="test-registry",scope="${scope}"`})
      return void res.end()
    }
    seen.push(`${req.method} ${url.pathname} 200`)
    if (url.pathname.includes('/manifests/'))
      return void res.end(JSON.stringify({schemaVersion: 2, config: {digest: 'sha256:c0'}}))
    res.end(JSON.stringify({config: {Labels: {'dev.sandbox-agent.runner-protocol': '5'}}}))
  })
  return {server, seen}
}

describe('registry token authentication (Bearer challenge)', () => {
  const registry = tokenRegistry()
  let base: string
  beforeAll(async () => {
    await new Promise<void>((resolve) => registry.server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(registry.server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => registry.server.close(() => resolve())))

  it('reads the challenge', () => {
    expect(parseBearerChallenge('Bearer realm="https://a/token",service="reg",scope="repository:x:pull,push"')).toEqual(
      {
        realm: 'https://a/token',
        service: 'reg',
        scope: 'repository:x:pull,push',
      },
    )
    expect(parseBearerChallenge('Basic realm="test"')).toBeUndefined()
  })

  it('gets a token with the login (basic, GET) and sends the request again with it; later requests reuse it', async () => {
    registry.seen.length = 0
    const client = registryClient(base, {username: 'agent', password: 'secret', serveraddress: 'x'})
    expect(await registryImageLabels(client, 'sandbox', '1')).toEqual({'dev.sandbox-agent.runner-protocol': '5'})
    expect(registry.seen).toEqual([
      'GET /v2/sandbox/manifests/1 401',
      'GET token test-registry repository:sandbox:pull granted',
      'GET /v2/sandbox/manifests/1 200',
      'GET /v2/sandbox/blobs/sha256:c0 200',
    ])
  })

  it('gets a token with an identity token (OAuth2 refresh-token grant, POST)', async () => {
    registry.seen.length = 0
    const client = registryClient(base, {identitytoken: 'refresh-1', serveraddress: 'x'})
    expect(await registryImageLabels(client, 'sandbox', '1')).toBeDefined()
    expect(registry.seen[1]).toBe('POST token test-registry repository:sandbox:pull granted')
  })

  it('a login the token server refuses is a login error (one line, no retry loop)', async () => {
    registry.seen.length = 0
    const client = registryClient(base, {username: 'agent', password: 'wrong', serveraddress: 'x'})
    const failure = registryImageLabels(client, 'sandbox', '1')
    await expect(failure).rejects.toThrow(RegistryLoginError)
    await expect(failure).rejects.toThrow(/refused the login/)
    expect(registry.seen).toEqual([
      'GET /v2/sandbox/manifests/1 401',
      'GET token test-registry repository:sandbox:pull refused',
    ])
  })
})
