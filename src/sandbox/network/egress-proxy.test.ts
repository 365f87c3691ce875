import http from 'node:http'
import net from 'node:net'
import type {AddressInfo} from 'node:net'
import type {NetworkInterfaceInfo} from 'node:os'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  addressIn,
  arpFlags,
  createEgressProxy,
  parseAuthority,
  runtimeRules,
  specialAddress,
  type ProxyEvent,
  type ProxyRequestEvent,
} from './egress-proxy.js'

// Every name resolves to loopback, where this test's own upstream server listens: no traffic leaves the machine.
const lookup = async (host: string) => {
  if (host.endsWith('.v6only.test')) return [{address: '::1', family: 6}]
  if (host.endsWith('.missing.test')) throw Object.assign(new Error('not found'), {code: 'ENOTFOUND'})
  return [{address: '127.0.0.1', family: 4}]
}

let upstream: http.Server
let silent: net.Server
let proxy: http.Server
let upstreamPort: number
let silentPort: number
let proxyPort: number
const events: ProxyRequestEvent[] = []

beforeAll(async () => {
  upstream = http.createServer((req, res) => res.end(`hello ${req.headers.host} ${req.url}`))
  silent = net.createServer(() => undefined) // accepts, never answers
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  upstreamPort = (upstream.address() as AddressInfo).port
  silentPort = (silent.address() as AddressInfo).port
  proxy = createEgressProxy(
    {
      rules: [
        {host: 'pkgs.test', wildcard: false, ports: [upstreamPort, silentPort]},
        {host: 'wild.test', wildcard: true, ports: [upstreamPort]},
        {host: 'v6only.test', wildcard: true, ports: [upstreamPort]},
      ],
      connectTimeoutMs: 2000,
      idleTimeoutMs: 300,
      lookup,
    },
    (event: ProxyEvent) => {
      if (event.type === 'request') events.push(event)
    },
  )
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  proxyPort = (proxy.address() as AddressInfo).port
})

afterAll(() => {
  // Tunnels and the silent server's sockets may still be open: stop listening and let the process end.
  for (const server of [proxy, upstream, silent]) {
    server.close()
    server.unref()
  }
})

/** A plain-HTTP request through the proxy (absolute URL, as clients send to a proxy). */
function forward(url: string, headers: Record<string, string> = {}): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const host = url.startsWith('http://') ? new URL(url).host : undefined
    const req = http.request(
      {
        host: '127.0.0.1',
        port: proxyPort,
        path: url,
        headers: {...(host ? {Host: host} : {}), ...headers},
        agent: false,
        setHost: false,
      },
      (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** A CONNECT through the proxy, then one HTTP request in the tunnel; resolves with the first status line seen. */
function tunnel(target: string, headers: Record<string, string> = {}): Promise<{status: number; inside?: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: proxyPort,
      method: 'CONNECT',
      path: target,
      headers: {Host: target, ...headers},
      setHost: false,
    })
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy()
        return resolve({status: res.statusCode ?? 0})
      }
      let inside = ''
      socket.on('data', (chunk: Buffer) => (inside += chunk.toString()))
      socket.on('close', () => resolve({status: 200, inside}))
      socket.on('error', () => resolve({status: 200, inside}))
      socket.write(`GET /t HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`)
    })
    req.on('error', reject)
    req.end()
  })
}

const lastEvent = (): ProxyRequestEvent => events.at(-1)!

describe('the egress proxy', () => {
  it('forwards plain HTTP to an allowed host and reports the request', async () => {
    const res = await forward(`http://pkgs.test:${upstreamPort}/a?b=1`)
    expect(res).toEqual({status: 200, body: `hello pkgs.test:${upstreamPort} /a?b=1`})
    expect(lastEvent()).toMatchObject({method: 'GET', host: 'pkgs.test', port: upstreamPort, allowed: true})
    expect(lastEvent().bytesDown).toBeGreaterThan(0)
  })

  it('tunnels CONNECT to an allowed host', async () => {
    const res = await tunnel(`pkgs.test:${upstreamPort}`)
    expect(res.status).toBe(200)
    expect(res.inside).toContain(`hello pkgs.test:${upstreamPort} /t`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(lastEvent()).toMatchObject({method: 'CONNECT', host: 'pkgs.test', allowed: true})
  })

  it.each([
    ['a host not on the list', `other.test:PORT`, 'not-allowed'],
    ['the same host on another port', 'pkgs.test:1', 'port'],
    ['an IP address', `127.0.0.1:PORT`, 'ip-literal'],
    ['the metadata address', '169.254.169.254:80', 'ip-literal'],
    ['a wildcard name resolving to loopback', `a.wild.test:PORT`, 'private-address'],
    ['IPv6', `[::1]:PORT`, 'ipv6'],
    ['a name with only IPv6 addresses', `a.v6only.test:PORT`, 'ipv6'],
  ])('refuses CONNECT to %s', async (_what, target, reason) => {
    const res = await tunnel(target.replace('PORT', String(upstreamPort)))
    expect(res.status).toBe(403)
    expect(lastEvent()).toMatchObject({method: 'CONNECT', allowed: false, reason})
  })

  it('refuses a CONNECT whose Host header names another host', async () => {
    const res = await tunnel(`pkgs.test:${upstreamPort}`, {Host: 'evil.test'})
    expect(res.status).toBe(403)
    expect(lastEvent()).toMatchObject({allowed: false, reason: 'host-mismatch', detail: 'evil.test'})
  })

  it('refuses a forwarded request whose Host header names another host', async () => {
    const res = await forward(`http://pkgs.test:${upstreamPort}/`, {Host: 'evil.test'})
    expect(res.status).toBe(403)
    expect(res.body).toContain('the Host header names another host')
    expect(lastEvent()).toMatchObject({allowed: false, reason: 'host-mismatch'})
  })

  it('refuses what is not a proxy request', async () => {
    const res = await forward('/just/a/path', {Host: 'pkgs.test'})
    expect(res.status).toBe(403)
    expect(lastEvent()).toMatchObject({allowed: false, reason: 'not-proxy-request'})
  })

  it('cuts a tunnel to an upstream that never answers after the idle timeout', async () => {
    const res = await tunnel(`pkgs.test:${silentPort}`)
    expect(res.status).toBe(200)
    expect(res.inside).toBe('')
    expect(lastEvent()).toMatchObject({host: 'pkgs.test', port: silentPort, allowed: true, error: 'idle for 300 ms'})
  })

  it('answers 504 for a forwarded request to an upstream that never answers', async () => {
    const res = await forward(`http://pkgs.test:${silentPort}/`)
    expect(res.status).toBe(504)
    expect(lastEvent()).toMatchObject({allowed: true, error: 'idle for 300 ms'})
  })
})

describe('proxy helpers', () => {
  it('classifies special addresses', () => {
    expect(specialAddress('127.0.0.1')).toBe('loopback')
    expect(specialAddress('10.1.2.3')).toBe('private')
    expect(specialAddress('172.20.0.1')).toBe('private')
    expect(specialAddress('192.168.1.1')).toBe('private')
    expect(specialAddress('169.254.169.254')).toBe('metadata')
    expect(specialAddress('169.254.1.1')).toBe('link-local')
    expect(specialAddress('100.100.100.200')).toBe('shared (carrier-grade NAT)')
    expect(specialAddress('fd00::1')).toBe('IPv6')
    expect(specialAddress('93.184.216.34')).toBeUndefined()
    expect(specialAddress('172.32.0.1')).toBeUndefined()
  })

  it('parses authorities', () => {
    expect(parseAuthority('Pkgs.Test.:8443', 443)).toEqual({host: 'pkgs.test', port: 8443})
    expect(parseAuthority('pkgs.test', 443)).toEqual({host: 'pkgs.test', port: 443})
    expect(parseAuthority('[::1]:80', 443)).toEqual({host: '::1', port: 80})
    expect(parseAuthority('user@host:80', 443)).toBeUndefined()
    expect(parseAuthority('host:99999', 443)).toBeUndefined()
  })

  it('finds the address inside a subnet', () => {
    const interfaces = {
      lo: [{address: '127.0.0.1', family: 'IPv4'}],
      eth0: [{address: '172.17.0.5', family: 'IPv4'}],
      eth1: [{address: '172.30.0.2', family: 'IPv4'}],
    } as unknown as NodeJS.Dict<NetworkInterfaceInfo[]>
    expect(addressIn('172.30.0.0/16', interfaces)).toBe('172.30.0.2')
    expect(addressIn('10.0.0.0/8', interfaces)).toBeUndefined()
  })

  it("reads an address's entry from the neighbour table", () => {
    const table = [
      'IP address       HW type     Flags       HW address            Mask     Device',
      '172.19.0.1       0x1         0x2         02:42:9c:11:22:33     *        eth0',
      '172.19.0.9       0x1         0x0         00:00:00:00:00:00     *        eth0',
    ].join('\n')
    expect(arpFlags(table, '172.19.0.1')).toBe('0x2')
    expect(arpFlags(table, '172.19.0.9')).toBe('0x0')
    expect(arpFlags(table, '172.19.0.10')).toBeUndefined()
  })
})

describe('rules added while the proxy runs', () => {
  it('parses an allow line into a rule, and adds nothing for a malformed one', () => {
    expect(runtimeRules('{"host":"A.Test.","wildcard":false,"ports":[80,443]}')).toEqual([
      {host: 'a.test', wildcard: false, ports: [80, 443]},
    ])
    expect(runtimeRules('{"host":"","ports":[80]}')).toEqual([])
    expect(runtimeRules('{"host":"a.test","ports":[]}')).toEqual([])
    expect(runtimeRules('not json')).toEqual([])
  })
})
