// Attacks on the boundary, end to end through `agent run`: network egress, host secrets, privilege. One run, many calls.
import {randomBytes} from 'node:crypto'
import dgram from 'node:dgram'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  API_KEY,
  AttackSuite,
  attackScript,
  containersOf,
  exec,
  outputOf,
  stdoutOf,
  type AttackRun,
} from './helpers/attack-run.js'

const suite = new AttackSuite()
const CANARY = `canary-${randomBytes(8).toString('hex')}`
/** The name of the host's secret file (its content is CANARY). */
const SECRET_NAME = `id_rsa_${randomBytes(4).toString('hex')}`
let run: AttackRun
let project: string
let hostFile: string
/** TCP and UDP listeners on the host's Docker bridge address: reachable from any container that has a network. */
let listener: {
  port: number
  udpPort: number
  gateway: string
  connections: number
  datagrams: number
  close: () => Promise<void>
}

/** Python one-liners (the image has python3); each prints `name=ok` or `name=<errno name>`. */
const py = (name: string, body: string) =>
  `python3 -c 'import socket, errno, os, ctypes
try:
    ${body}
    print("${name}=ok")
except OSError as e:
    print("${name}=" + (errno.errorcode.get(e.errno) or str(e)))'`

async function startListener(): Promise<typeof listener> {
  const {stdout} = await exec('docker', ['network', 'inspect', 'bridge', '-f', '{{(index .IPAM.Config 0).Gateway}}'])
  const gateway = stdout.trim() || '172.17.0.1'
  const state = {connections: 0, datagrams: 0}
  const server = net.createServer((socket) => {
    state.connections += 1
    socket.end('hello from the host\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, gateway, () => resolve())
  })
  const udp = dgram.createSocket('udp4')
  udp.on('message', () => (state.datagrams += 1))
  await new Promise<void>((resolve) => udp.bind(0, gateway, () => resolve()))
  return {
    port: (server.address() as net.AddressInfo).port,
    udpPort: udp.address().port,
    gateway,
    get connections() {
      return state.connections
    },
    get datagrams() {
      return state.datagrams
    },
    close: async () => {
      udp.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

beforeAll(async () => {
  await suite.start()
  listener = await startListener()
  // A secret on the host, next to the project and in the user's home: nothing in the sandbox may see it.
  hostFile = path.join(suite.home, '.ssh', SECRET_NAME)
  fs.mkdirSync(path.dirname(hostFile), {recursive: true})
  fs.writeFileSync(hostFile, `${CANARY}\n`)
  project = suite.project({'README.md': 'hello\n'})
  const model = new URL(suite.server.url)
  run = await suite.run(
    project,
    attackScript([
      // Network egress: TCP to the host's bridge address and to the model server (on the host's loopback); DNS; raw
      // sockets. (Only host-local addresses: the suite never sends anything to the internet, even when it fails.)
      {
        id: 'tcp',
        command: [
          `(exec 3<>/dev/tcp/${listener.gateway}/${listener.port}) 2>&1 && echo host=CONNECTED`,
          `(exec 3<>/dev/tcp/127.0.0.1/${model.port}) 2>&1 && echo model=CONNECTED`,
          `curl -sS -m 5 http://${listener.gateway}:${listener.port}/ 2>&1; echo curl=$?`,
          'ls /sys/class/net',
        ].join('; '),
      },
      {
        id: 'dns',
        command: [
          'getent hosts security-suite.invalid; echo getent=$?',
          py('resolve', 'socket.getaddrinfo("security-suite.invalid", 443)'),
          // A DNS query sent straight to a resolver on the host's bridge address.
          py(
            'udp_query',
            `socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"\\x12\\x34\\x01\\x00\\x00\\x01" + bytes(6) + b"\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01", ("${listener.gateway}", ${listener.udpPort}))`,
          ),
        ].join('; '),
      },
      {
        id: 'raw',
        command: [
          py('raw_icmp', 'socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)'),
          py('packet', 'socket.socket(socket.AF_PACKET, socket.SOCK_RAW)'),
        ].join('; '),
      },
      // Host secrets: files outside the workspace, environment, API key, Docker socket.
      {
        id: 'files',
        command: [
          `cat ${hostFile} 2>&1`,
          `ls -la ${path.dirname(project)} 2>&1 | head -5`,
          `echo "found:$(find / -xdev \\( -path /proc -o -path /sys \\) -prune -o -name '${SECRET_NAME}' -print 2>/dev/null)"`,
          `grep -rls ${CANARY} /workspace /home /tmp /etc /opt /root 2>/dev/null; echo searched`,
        ].join('; '),
      },
      {
        id: 'env',
        command: `env; echo ---; cat /proc/1/environ /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | sort -u`,
      },
      {
        id: 'docker',
        command: [
          'ls -la /var/run/docker.sock /run/docker.sock 2>&1',
          'echo "sockets:$(find / -xdev -type s 2>/dev/null | grep -v "^/proc" | tr "\\n" " ")"',
          'curl -sS -m 3 --unix-socket /var/run/docker.sock http://localhost/version 2>&1; echo docker-api=$?',
          `(exec 3<>/dev/tcp/${listener.gateway}/2375) 2>&1 && echo docker-tcp=CONNECTED`,
        ].join('; '),
      },
      // Privilege: user, capabilities, setuid, mount, unshare, ptrace outside the sandbox.
      {
        id: 'priv',
        command: [
          'id -u; id -g',
          "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status",
          'cat /etc/shadow 2>&1 | head -1',
          // passwd is setuid root: as root it would read /etc/shadow and print the lock state and change date.
          'passwd -S agent 2>&1; echo passwd=$?',
          'mount -t tmpfs none /mnt 2>&1; echo mount=$?',
          py(
            'mount_syscall',
            'ctypes.CDLL(None, use_errno=True).mount(b"none", b"/mnt", b"tmpfs", 0, None) == 0 or (_ for _ in ()).throw(OSError(ctypes.get_errno(), "mount"))',
          ),
          'unshare --user --map-root-user true 2>&1; echo unshare_user=$?',
          'unshare --mount true 2>&1; echo unshare_mount=$?',
          'unshare --net true 2>&1; echo unshare_net=$?',
          'sudo -n true 2>&1; su -c true root </dev/null 2>&1; echo su=$?',
          `echo cli-visible=$(grep -l 'bin/[r]un[.]js' /proc/[0-9]*/cmdline 2>/dev/null | wc -l)`,
          `echo processes=$(ls -d /proc/[0-9]* | wc -l)`,
          py(
            'ptrace_host_cli',
            `ctypes.CDLL(None, use_errno=True).ptrace(16, ${process.pid}, 0, 0) == 0 or (_ for _ in ()).throw(OSError(ctypes.get_errno(), "ptrace"))`,
          ),
        ].join('; '),
      },
    ]),
    {env: {SANDBOX_SECURITY_HOST_SECRET: CANARY}},
  )
})

afterAll(async () => {
  await listener?.close()
  await suite.stop()
})

describe('a hostile repository cannot get out of the sandbox (agent run, real container)', () => {
  it('ran every attack and finished normally, leaving no container', async () => {
    expect(run.cli.stderr).not.toMatch(/^Error/m)
    expect(run.cli.exitCode).toBe(0)
    expect(Object.keys(run.tools).sort()).toEqual(['dns', 'docker', 'env', 'files', 'priv', 'raw', 'tcp'])
    expect(await containersOf(project)).toEqual([])
  })

  it('has no network egress: TCP connects, DNS lookups and raw sockets all fail', () => {
    const tcp = stdoutOf(run.tools.tcp)
    expect(tcp).not.toContain('CONNECTED')
    expect(tcp).toMatch(/Network is unreachable/)
    expect(tcp).toMatch(/curl=[1-9]/)
    expect(tcp.trim().split('\n').at(-1)).toBe('lo')
    expect(listener.connections).toBe(0)

    const dns = stdoutOf(run.tools.dns)
    expect(dns).toMatch(/getent=[1-9]/)
    // No resolver can be reached at all (EAI_AGAIN), not merely "no such name".
    expect(dns).toMatch(/resolve=\[Errno -3\] Temporary failure in name resolution/)
    expect(dns).toMatch(/udp_query=ENETUNREACH/)
    expect(listener.datagrams).toBe(0)

    const raw = stdoutOf(run.tools.raw)
    expect(raw).toMatch(/raw_icmp=EPERM/)
    expect(raw).toMatch(/packet=EPERM/)
  })

  it('sees no host file, host variable, API key or Docker socket', () => {
    const files = stdoutOf(run.tools.files)
    expect(files).toMatch(/No such file or directory/)
    expect(files).toMatch(/^found:$/m)
    expect(files.trim().split('\n').at(-1)).toBe('searched')

    const env = stdoutOf(run.tools.env)
    expect(env).toMatch(/^HOME=\/home\/agent$/m)
    expect(env).not.toContain(CANARY)
    expect(env).not.toContain('SANDBOX_SECURITY_HOST_SECRET')
    expect(env).not.toMatch(/OPENAI|DOCKER_HOST|DOCKER_CONFIG/)

    const docker = stdoutOf(run.tools.docker)
    expect(docker).toMatch(/\/var\/run\/docker\.sock'?: No such file or directory/)
    expect(docker).toMatch(/^sockets:\s*$/m)
    expect(docker).toMatch(/docker-api=[1-9]/)
    expect(docker).not.toContain('docker-tcp=CONNECTED')

    // The model API key is nowhere in what the run printed, hence nowhere in what any tool returned.
    expect(run.cli.stdout).not.toContain(API_KEY)
    for (const request of suite.server.chatRequests()) expect(JSON.stringify(request.body)).not.toContain(API_KEY)
    for (const result of Object.values(run.tools)) expect(outputOf(result)).not.toContain(CANARY)
  })

  it('gains no privilege: not root, no capabilities, setuid inert, mount/unshare refused, host processes unreachable', () => {
    const priv = stdoutOf(run.tools.priv)
    expect(priv).toMatch(/^1000\n1000\n/)
    // Every set empty, the bounding set too: the runner's SETUID/SETGID/SETPCAP are dropped from it before the command
    // starts, so not even an exec that gained privilege (a kernel bug, a missing no-new-privileges) could get them back.
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
      expect(priv).toMatch(new RegExp(`^${set}:\\s+0{16}$`, 'm'))
    }
    expect(priv).toMatch(/^NoNewPrivs:\s+1$/m)
    expect(priv).toMatch(/cat: \/etc\/shadow: Permission denied/)
    // Run as root, passwd would print the lock state and last change date from /etc/shadow ("agent L 2024-01-01 ...").
    expect(priv).not.toMatch(/^agent [LNP]S? \d{4}-\d\d-\d\d/m)
    expect(priv).toMatch(/mount=[1-9]/)
    expect(priv).toMatch(/mount_syscall=EPERM/)
    expect(priv).toMatch(/unshare_user=[1-9]/)
    expect(priv).toMatch(/unshare_mount=[1-9]/)
    expect(priv).toMatch(/unshare_net=[1-9]/)
    expect(priv).toMatch(/su=[1-9]/)
    // The PID namespace: the CLI driving the sandbox (and every other host process) cannot be seen or traced.
    expect(priv).toMatch(/^cli-visible=0$/m)
    expect(Number(/^processes=(\d+)$/m.exec(priv)?.[1])).toBeLessThan(20)
    expect(priv).toMatch(/ptrace_host_cli=ESRCH/)
  })
})

describe('sandbox.runtime (e.g. gVisor runsc for a separate kernel)', () => {
  it('a runtime the daemon does not have is a one-line user error, and nothing is left behind', async () => {
    const dir = suite.project({'a.txt': 'a\n'}, {runtime: 'no-such-runtime'})
    // An untrusted folder may not choose the runtime (test/security/untrusted-config.test.ts): this one is trusted.
    expect((await suite.cli(['trust'], dir)).exitCode).toBe(0)
    const result = await suite.run(dir, attackScript([{id: 'never', command: 'true'}]))
    expect(result.cli.exitCode).toBe(2)
    const errors = result.cli.stderr.split('\n').filter((line) => line.startsWith('Error:'))
    expect(errors).toEqual([
      expect.stringMatching(/^Error: sandbox.runtime "no-such-runtime" is not a runtime this Docker daemon knows\. /),
    ])
    expect(result.cli.stderr).not.toMatch(/^\s+at /m)
    expect(result.tools).toEqual({})
    expect(await containersOf(dir)).toEqual([])
  })
})
