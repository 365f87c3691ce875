// sandbox.network's allow list against a real dockerd: allowed hosts reached by name through the session's proxy with
// curl, git and npm; every way around it refused, with the explanation line in the shell tool's result.
import {execFileSync} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {silentLogger} from '../../src/logging/logger.js'
import type {DockerSandboxSession} from '../../src/sandbox/docker-session.js'
import {proxyContainerName, sessionNetworkName} from '../../src/sandbox/network/session-network.js'
import {createRunShellCommandTool} from '../../src/tools/shell/run-shell-command.js'
import {makeEngine, makeProject, settings} from '../sandbox/helpers/fixtures.js'
import {startUpstream, type Upstream} from './helpers/upstream.js'

const shell = createRunShellCommandTool()
let upstream: Upstream
let session: DockerSandboxSession

/** The shell tool's result for the model, as the agent would see it. */
async function run(command: string): Promise<string> {
  const result = await shell.execute(
    {command, is_background: false},
    {session, signal: new AbortController().signal, log: silentLogger()},
  )
  return result.forModel
}

function docker(...args: string[]): string {
  return execFileSync('docker', args, {encoding: 'utf8'}).trim()
}

beforeAll(async () => {
  upstream = await startUpstream()
  process.env.SANDBOX_AGENT_PROXY_NETWORK = upstream.network.getName()
  process.env.SANDBOX_AGENT_PROXY_IDLE_MS = '1500'
  const project = makeProject({'ca.pem': upstream.ca, ...upstream.npmProject})
  session = await makeEngine().open(
    project,
    settings({network: {allow: ['web.test', 'secure.test', 'slow.test', '*.wild.test']}}),
  )
})

afterAll(async () => {
  delete process.env.SANDBOX_AGENT_PROXY_NETWORK
  delete process.env.SANDBOX_AGENT_PROXY_IDLE_MS
  await session?.close()
  await upstream?.stop()
})

describe('allowed hosts, reached by name through the proxy', () => {
  it('plain HTTP with curl', async () => {
    const out = await run('curl -sS --max-time 20 http://web.test/hello.txt')
    expect(out).toContain('Stdout: hello from web.test')
    expect(out).not.toContain('network:')
  })

  it('HTTPS with curl, trusting the test CA', async () => {
    const out = await run('curl -sS --max-time 20 --cacert /workspace/ca.pem https://secure.test/hello.txt')
    expect(out).toContain('Stdout: hello from secure.test')
  })

  it("node's fetch, which in Node 18 ignores the proxy variables (the preload sends it through)", async () => {
    const fetchText = (url: string) =>
      `node -e "fetch('${url}').then((r) => r.text()).then((t) => console.log('fetched', t.trim()), (e) => console.log('failed', e.cause?.message ?? e.message))"`
    expect(await run('node --version')).toMatch(/Stdout: v18\./)
    expect(await run(fetchText('http://web.test/hello.txt'))).toContain('Stdout: fetched hello from web.test')
    const secure = await run(`NODE_EXTRA_CA_CERTS=/workspace/ca.pem ${fetchText('https://secure.test/hello.txt')}`)
    expect(secure).toContain('Stdout: fetched hello from secure.test')
    const refused = await run(fetchText('http://unlisted.test/'))
    expect(refused).toContain("Stdout: failed the sandbox's network proxy refused unlisted.test:80: 403 not-allowed")
    expect(refused).toContain('network: refused unlisted.test:80 (not in sandbox.network.allow')
  })

  it('git clone over https', async () => {
    const out = await run(
      'GIT_SSL_CAINFO=/workspace/ca.pem git clone -q https://secure.test/repo.git /tmp/repo && cat /tmp/repo/README',
    )
    expect(out).toContain('Stdout: cloned over https')
    expect(out).toContain('Exit Code: 0')
  })

  it('npm ci from the local registry', async () => {
    const out = await run('npm ci --no-audit --no-fund 2>&1 && node -e "console.log(require(\'tiny-dep\'))"')
    expect(out).toContain('tiny-dep works')
    expect(out).toContain('Exit Code: 0')
  })
})

describe('refused, with the explanation in the tool result', () => {
  it('a host not on the list', async () => {
    const out = await run('curl -sS --max-time 20 http://other.test/')
    expect(out).toContain(
      'network: refused other.test:80 (not in sandbox.network.allow; add it, or run with --allow-host other.test)',
    )
  })

  it('an allowed host on another port', async () => {
    const out = await run('curl -sS --max-time 20 https://secure.test:8443/ --cacert /workspace/ca.pem')
    expect(out).toContain('network: refused secure.test:8443 (this port is not in sandbox.network.allow')
  })

  it('a direct connection to an IP, without the proxy', async () => {
    const out = await run(`curl -sS --max-time 3 --noproxy '*' http://${upstream.webAddress}/hello.txt`)
    expect(out).not.toContain('hello from web.test')
    expect(out).toContain('network: the sandbox has no DNS and no route out')
  })

  it.each([
    ['the host gateway', () => upstream.gateway],
    ['the metadata address', () => '169.254.169.254'],
    ['loopback', () => '127.0.0.1'],
  ])('CONNECT to %s', async (_what, address) => {
    // --noproxy '' so curl sends even loopback through the proxy (NO_PROXY lists it for the sandbox's own servers).
    const out = await run(`curl -sS --max-time 10 --noproxy '' --proxytunnel http://${address()}/`)
    expect(out).toContain(`network: refused ${address()}:80 (an IP address, not a host name`)
  })

  it('a name that resolves to a private address (allowed by wildcard only)', async () => {
    const out = await run('curl -sS --max-time 10 http://a.wild.test/hello.txt')
    expect(out).not.toContain('hello from web.test')
    expect(out).toMatch(/network: refused a\.wild\.test:80 \(resolves to [\d.]+, private; only an exact entry/)
  })

  it('a Host header that differs from the target', async () => {
    const out = await run('curl -sS --max-time 10 -H "Host: other.test" http://web.test/hello.txt')
    expect(out).not.toContain('hello from web.test')
    expect(out).toContain('network: refused web.test:80 (the Host header "other.test" names another host')
    const tunnel = await run(
      'curl -sS --max-time 10 --proxytunnel --proxy-header "Host: other.test" --cacert /workspace/ca.pem https://secure.test/hello.txt',
    )
    expect(tunnel).not.toContain('hello from secure.test')
    expect(tunnel).toContain('network: refused secure.test:443 (the Host header "other.test" names another host')
  })

  it('a DNS lookup from inside', async () => {
    const lookup = await run('getent hosts web.test; echo "getent exit $?"')
    expect(lookup).toContain('getent exit 2')
    // No resolver answers at all (EAI_AGAIN), which tells "no DNS" apart from a resolver outside that answered "no such
    // name" (ENOTFOUND): the latter would mean the query left the sandbox.
    const code = await run(`node -e "require('dns').lookup('web.test', (e) => console.log('lookup', e && e.code))"`)
    expect(code).toContain('lookup EAI_AGAIN')
    const direct = await run("curl -sS --max-time 10 --noproxy '*' http://web.test/hello.txt")
    expect(direct).toMatch(/Could not resolve host: web.test|Resolving timed out/)
    expect(direct).toContain('network: the sandbox has no DNS and no route out')
  })

  it('IPv6', async () => {
    const out = await run('curl -sS --max-time 10 http://[fd00::1]/')
    expect(out).toContain('network: refused fd00::1:80 (IPv6 is not supported')
    const interfaces = await run('cat /proc/net/if_inet6 | grep -v " lo$" | wc -l')
    expect(interfaces).toContain('Stdout: 0')
  })
})

describe('faults', () => {
  it('a slow upstream is cut by the proxy: the command ends', async () => {
    const out = await run('curl -fsS --max-time 60 http://slow.test/; echo "curl exit $?"')
    expect(out).toContain('network: slow.test:80 was allowed but failed: idle for 1500 ms')
    expect(out).toContain('curl exit 22')
  })

  it('the proxy dies mid-run: a clear error, the session goes on, the summary says so', async () => {
    docker('kill', proxyContainerName(session.id))
    const out = await run('curl -sS --max-time 10 http://web.test/hello.txt')
    expect(out).toContain('network: the network proxy stopped; nothing in the sandbox can connect out')
    expect(await run('echo still here')).toContain('Stdout: still here')
    const summary = session.networkSummary()
    expect(summary?.proxyDown).toBe('the network proxy stopped')
    expect(summary?.hosts['web.test:80']).toMatchObject({allowed: expect.any(Number), refused: expect.any(Number)})
    expect(summary?.hosts['other.test:80']).toMatchObject({allowed: 0, refused: 1})
  })

  it('the proxy and the network go with the session', async () => {
    const id = session.id
    await session.close()
    expect(docker('ps', '-aq', '--filter', `label=dev.sandbox-agent.session-id=${id}`)).toBe('')
    expect(docker('network', 'ls', '-q', '--filter', `name=${sessionNetworkName(id)}`)).toBe('')
  })
})
