// Isolation defaults, seen from outside (docker inspect) and from inside (commands): no network, no host env, no root.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {DockerSandboxSession} from '../../src/sandbox/docker-session.js'
import {Labels} from '../../src/sandbox/labels.js'
import {makeEngine, makeProject, settings} from './helpers/fixtures.js'

const SECRET = 'sk-test-this-must-never-reach-the-container'

describe('sandbox isolation', () => {
  const engine = makeEngine()
  let session: DockerSandboxSession
  let previousKey: string | undefined

  beforeAll(async () => {
    previousKey = process.env.OPENAI_API_KEY
    process.env.OPENAI_API_KEY = SECRET
    process.env.SANDBOX_TEST_VISIBLE = 'passed-on-purpose'
    session = await engine.open(
      makeProject({'a.txt': 'a\n'}),
      settings({env: ['SANDBOX_TEST_VISIBLE', 'NOT_SET_ANYWHERE'], pids: 256}),
    )
  })

  afterAll(async () => {
    await session?.close()
    if (previousKey === undefined) delete process.env.OPENAI_API_KEY
    else process.env.OPENAI_API_KEY = previousKey
  })

  it('creates the container with every hardening flag', async () => {
    const info = await engine.docker.getContainer(session.containerId).inspect()
    const host = info.HostConfig
    expect(host.NetworkMode).toBe('none')
    expect(host.CapDrop).toEqual(['ALL'])
    // The runner's only capabilities, to start commands as the agent with an empty bounding set (commands hold none).
    expect(host.CapAdd ?? []).toEqual(['SETUID', 'SETGID', 'SETPCAP'])
    expect(host.SecurityOpt).toContain('no-new-privileges')
    expect(host.Privileged).toBe(false)
    expect(host.Init).toBe(true)
    expect(host.PidsLimit).toBe(256)
    expect(host.Memory).toBe(512 * 1024 ** 2)
    expect(host.MemorySwap).toBe(host.Memory)
    expect(host.NanoCpus).toBe(1e9)
    expect(host.ReadonlyRootfs).toBe(true)
    expect(host.Tmpfs?.['/tmp']).toMatch(/size=\d+/)
    expect(host.Binds ?? []).toEqual([])
    expect(host.LogConfig?.Type).toBe('none')
    // tini and the runner run as root, apart from the agent's commands (see runner-user.ts).
    expect(info.Config.User).toBe('0:0')
    expect(info.Mounts.map((m) => [m.Type, m.Destination])).toEqual([['volume', '/workspace']])
    expect(JSON.stringify(info)).not.toContain('docker.sock')
    const labels = info.Config.Labels
    expect(labels[Labels.managed]).toBe('true')
    expect(labels[Labels.sessionId]).toBe(session.id)
    expect(labels[Labels.workspace]).toBe(session.hostWorkspace)
    expect(labels[Labels.ownerPid]).toBe(String(process.pid))
    expect(labels[Labels.createdAt]).toMatch(/^\d{4}-/)
    const volume = await engine.docker.getVolume(info.Mounts[0]!.Name!).inspect()
    expect(volume.Labels[Labels.sessionId]).toBe(session.id)
  })

  it('runs commands as the agent: every id 1000, no group 0, no capability in any set, no-new-privileges', async () => {
    const status = (await session.exec("grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs):' /proc/self/status").result)
      .stdout.text
    expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m)
    expect(status).toMatch(/^Gid:\s+1000\s+1000\s+1000\s+1000$/m)
    expect(status).toMatch(/^Groups:\s*$/m)
    expect(status).toMatch(/^CapPrm:\s+0+$/m)
    expect(status).toMatch(/^CapEff:\s+0+$/m)
    expect(status).toMatch(/^CapAmb:\s+0+$/m)
    expect(status).toMatch(/^CapInh:\s+0+$/m)
    expect(status).toMatch(/^CapBnd:\s+0+$/m)
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m)
  })

  it('passes no host variable except those named in sandbox.env', async () => {
    const env = (await session.exec('env').result).stdout.text
    expect(env).not.toContain(SECRET)
    expect(env).not.toContain('OPENAI_API_KEY')
    expect(env).toContain('SANDBOX_TEST_VISIBLE=passed-on-purpose')
    expect(env).not.toContain('NOT_SET_ANYWHERE')
    expect(env).toMatch(/^QWEN_CODE=1$/m)
    expect(env).toMatch(/^HOME=\/home\/agent$/m)
    const info = await engine.docker.getContainer(session.containerId).inspect()
    expect(JSON.stringify(info.Config.Env)).not.toContain(SECRET)
  })

  it('has no network: no interface but lo, connections fail', async () => {
    const result = await session.exec(
      'ls /sys/class/net; (echo > /dev/tcp/1.1.1.1/443) 2>&1 && echo CONNECTED; curl -sS -m 3 http://172.17.0.1/ 2>&1 || echo CURL_FAILED',
    ).result
    expect(result.stdout.text).toMatch(/^lo\n/)
    expect(result.stdout.text).not.toContain('CONNECTED')
    expect(result.stdout.text).toContain('CURL_FAILED')
  })

  it('runs as an unprivileged user on a read-only root', async () => {
    const result = await session.exec(
      'id -u; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; touch /etc/x 2>/dev/null || echo RO_ROOT; touch /tmp/x ~/x /workspace/x && echo WRITABLE; ls -l /proc/1/exe 2>&1 | grep -c docker-init || true',
    ).result
    const out = result.stdout.text
    expect(out).toMatch(/^1000$/m)
    expect(out).toMatch(/CapEff:\s+0{16}/)
    expect(out).toMatch(/NoNewPrivs:\s+1/)
    expect(out).toContain('RO_ROOT')
    expect(out).toContain('WRITABLE')
  })

  it('opts into the bridge network only when asked', async () => {
    await using bridged = await engine.open(makeProject(), settings({network: 'bridge'}))
    const info = await engine.docker.getContainer(bridged.containerId).inspect()
    expect(info.HostConfig.NetworkMode).toBe('bridge')
    expect((await bridged.exec('ls /sys/class/net').result).stdout.text).toContain('eth0')
  })
})
