import {execFile} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createEgressProxy, type ProxyEvent} from './egress-proxy.js'
import {bypassesProxy, proxyFrom} from './fetch-through-proxy.js'

describe('proxy variables', () => {
  it('reads the proxy and NO_PROXY as curl does', () => {
    expect(proxyFrom({HTTPS_PROXY: 'http://sandbox-proxy:3128'})?.host).toBe('sandbox-proxy:3128')
    expect(proxyFrom({})).toBeUndefined()
    expect(bypassesProxy('localhost', 'localhost,127.0.0.1,::1')).toBe(true)
    expect(bypassesProxy('[::1]', 'localhost,127.0.0.1,::1')).toBe(true)
    expect(bypassesProxy('a.internal.test', '.internal.test')).toBe(true)
    expect(bypassesProxy('web.test', 'localhost,127.0.0.1')).toBe(false)
  })
})

// A real node process with the preload, its fetch through the egress proxy, all on loopback.
describe('fetch in a node process with the preload', () => {
  let upstream: http.Server
  let proxy: http.Server
  const events: ProxyEvent[] = []
  beforeAll(async () => {
    upstream = http.createServer((req, res) => res.end(`hello ${req.headers.host}`))
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    const port = (upstream.address() as AddressInfo).port
    proxy = createEgressProxy(
      {
        rules: [{host: 'web.test', wildcard: false, ports: [port]}],
        connectTimeoutMs: 2000,
        idleTimeoutMs: 5000,
        lookup: async () => [{address: '127.0.0.1', family: 4}],
      },
      (event) => events.push(event),
    )
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  })
  afterAll(() => {
    upstream.close()
    proxy.close()
  })

  it('goes through the proxy, which allows by name and refuses the rest', async () => {
    const port = (upstream.address() as AddressInfo).port
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    // The module as the sandbox gets it: plain JavaScript (type-stripped here by the test runner's own compiler).
    const {transform} = await import('esbuild')
    const source = fs.readFileSync(path.join(import.meta.dirname, 'fetch-through-proxy.ts'), 'utf8')
    const {code} = await transform(source, {loader: 'ts', format: 'esm'})
    const preload = Buffer.from(`${code}\ninstallFetchProxy()\n`).toString('base64')
    const script = `
      const show = (p) => p.then((r) => r.text(), (e) => 'failed: ' + (e.cause?.message ?? e.message))
      show(fetch('http://web.test:${port}/a')).then(console.log)
        .then(() => show(fetch('http://other.test:${port}/'))).then(console.log)`
    const {stdout} = await promisify(execFile)(process.execPath, ['-e', script], {
      env: {
        PATH: process.env.PATH,
        HTTP_PROXY: proxyUrl,
        HTTPS_PROXY: proxyUrl,
        NO_PROXY: 'localhost',
        NODE_OPTIONS: `--import=data:text/javascript;base64,${preload}`,
      },
    })
    expect(stdout).toBe(
      `hello web.test:${port}\nfailed: the sandbox's network proxy refused other.test:${port}: 403 not-allowed\n`,
    )
    // Each request is reported when it ends: the tunnel of the allowed one closes last.
    expect(events.map((e) => e.type === 'request' && `${e.method} ${e.host} ${e.allowed}`).sort()).toEqual([
      'CONNECT other.test false',
      'CONNECT web.test true',
    ])
  })
})
