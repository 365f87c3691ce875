// The host is out of the sandbox's reach on an allow-list network: a listener of the test's own on this machine (on
// every address, and on the proxy's way-out bridge address) gets no connection from the sandbox, neither directly nor
// through the proxy; and a session network that gives the host an address is refused when the session opens.
import {execFileSync} from 'node:child_process'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import type {NetworkInterfaceInfo} from 'node:os'
import Docker from 'dockerode'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {silentLogger} from '../../src/logging/logger.js'
import type {DockerSandboxSession} from '../../src/sandbox/docker-session.js'
import {Labels} from '../../src/sandbox/labels.js'
import {addressIn} from '../../src/sandbox/network/egress-proxy.js'
import {
  DEFAULT_UPSTREAM_NETWORK,
  SessionNetwork,
  removeSessionNetwork,
  sessionNetworkName,
} from '../../src/sandbox/network/session-network.js'
import {createRunShellCommandTool} from '../../src/tools/shell/run-shell-command.js'
import {makeEngine, makeProject, settings} from '../sandbox/helpers/fixtures.js'
import {testImage} from '../sandbox/helpers/test-image.js'

const shell = createRunShellCommandTool()
const SECRET = 'host service secret'
let session: DockerSandboxSession
/** Connections the host's listeners accepted, from anyone. */
let accepted = 0
const servers: http.Server[] = []
/** The port of the listener on every address, and of the one on the proxy's way-out bridge address only. */
let port = 0
let gatewayPort = 0
let sessionGateway = ''
let upstreamGateway = ''

function docker(...args: string[]): string {
  return execFileSync('docker', args, {encoding: 'utf8'}).trim()
}

/** The network's gateway; the default bridge does not name it, so then the host's own address in its subnet. */
function gatewayOf(network: string): string {
  const [subnet = '', gateway] = docker(
    'network',
    'inspect',
    '-f',
    '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}',
    network,
  ).split(' ')
  const address =
    gateway && gateway !== '<no value>'
      ? gateway
      : addressIn(subnet, {all: hostAddresses().map((ip) => ({address: ip, family: 'IPv4'}) as NetworkInterfaceInfo)})
  if (!address) throw new Error(`no gateway address for ${network}`)
  return address
}

/** A server of the test's own on this machine; `host` '0.0.0.0' listens on every address the host has. */
async function listen(host: string): Promise<http.Server> {
  const server = http.createServer((_req, res) => res.end(`${SECRET}\n`))
  server.on('connection', () => (accepted += 1))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  servers.push(server)
  return server
}

/** Every IPv4 address of this machine but loopback, from `ip` (Node leaves out interfaces without a carrier). */
function hostAddresses(): string[] {
  const lines = execFileSync('ip', ['-4', '-o', 'addr', 'show'], {encoding: 'utf8'}).split('\n')
  return lines
    .map((line) => /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(line)?.[1])
    .filter((address): address is string => address !== undefined && !address.startsWith('127.'))
}

/** Every host address (with the session network's gateway) and the listener's port there. */
function hostTargets(): string[] {
  const own = hostAddresses()
  return [
    ...[...new Set([sessionGateway, upstreamGateway, ...own])].map((address) => `${address}:${port}`),
    `${upstreamGateway}:${gatewayPort}`,
  ]
}

async function run(command: string): Promise<string> {
  const result = await shell.execute(
    {command, is_background: false},
    {session, signal: new AbortController().signal, log: silentLogger()},
  )
  return result.forModel
}

beforeAll(async () => {
  const everywhere = await listen('0.0.0.0')
  port = (everywhere.address() as AddressInfo).port
  // The proxy's way out is a normal bridge, where the host does have an address: a listener there too.
  upstreamGateway = gatewayOf(DEFAULT_UPSTREAM_NETWORK)
  gatewayPort = ((await listen(upstreamGateway)).address() as AddressInfo).port
  session = await makeEngine().open(makeProject({'a.txt': 'a'}), settings({network: {allow: ['web.test']}}))
  sessionGateway = gatewayOf(sessionNetworkName(session.id))
})

afterAll(async () => {
  await session?.close()
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
})

describe('the host, from an allow-list sandbox', () => {
  it('has no address on the session network', async () => {
    expect(hostAddresses()).not.toContain(sessionGateway)
    // So nothing on the host can even listen there.
    await expect(listen(sessionGateway)).rejects.toMatchObject({code: 'EADDRNOTAVAIL'})
  })

  it('is not reachable directly at any of its addresses', async () => {
    const before = accepted
    const out = await run(
      hostTargets()
        .map((target) => `(curl -sS --max-time 5 --noproxy '*' http://${target}/ 2>&1 &)`)
        .join('; ') + '; sleep 6; echo done',
    )
    expect(out).toContain('done')
    expect(out).not.toContain(SECRET)
    expect(accepted).toBe(before)
  })

  it('is not reachable through the proxy, by HTTP forwarding or CONNECT', async () => {
    const before = accepted
    for (const target of hostTargets()) {
      const forwarded = await run(`curl -sS --max-time 10 http://${target}/`)
      expect(forwarded).not.toContain(SECRET)
      expect(forwarded).toContain(`network: refused ${target} (an IP address, not a host name`)
      const tunnel = await run(`curl -sS --max-time 10 --proxytunnel http://${target}/`)
      expect(tunnel).not.toContain(SECRET)
      expect(tunnel).toContain(`network: refused ${target} (an IP address, not a host name`)
    }
    // A name for the proxy's own loopback is no way round either (and is not on the list).
    const local = await run(`curl -sS --max-time 10 --noproxy '' http://localhost:${port}/`)
    expect(local).toContain(`network: refused localhost:${port} (not in sandbox.network.allow`)
    expect(accepted).toBe(before)
  })
})

describe('a session network that gives the host an address', () => {
  it('is refused before the session is used, in one line', async () => {
    const client = new Docker()
    const sessionId = `hostaddr${process.pid}`
    const name = sessionNetworkName(sessionId)
    // What an engine that ignores the no-host-address option makes: internal, with the host on the gateway.
    docker(
      'network',
      'create',
      '--internal',
      '--label',
      `${Labels.managed}=true`,
      '--label',
      `${Labels.sessionId}=${sessionId}`,
      name,
    )
    try {
      const network = await SessionNetwork.existing(client, {
        sessionId,
        image: testImage(),
        rules: [],
        labels: {[Labels.managed]: 'true', [Labels.sessionId]: sessionId},
        logger: silentLogger(),
      })
      expect(await network.problems()).toEqual([
        `the session network ${name} gives the host an address (com.docker.network.bridge.inhibit_ipv4 is not set)`,
      ])
      const error = await network.startProxy().then(
        () => undefined,
        (caught: unknown) => caught as Error & {oneLine(): string},
      )
      expect(error?.oneLine()).toMatch(
        new RegExp(
          `^Refusing to open the sandbox: the host is reachable from its network \\(it (refused a TCP connection|accepted a TCP connection|answers ARP) .*${gatewayOf(name).replaceAll('.', '\\.')}`,
        ),
      )
      expect(error?.oneLine()).not.toContain('\n')
    } finally {
      await removeSessionNetwork(client, sessionId)
    }
  })
})
