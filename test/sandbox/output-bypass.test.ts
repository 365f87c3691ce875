// The output bypass: past a few MiB a command's stdout is read by the host's own `docker exec` reader instead of the
// runner. Every byte must still arrive once and in order, the command's end must wait for it, leftovers must still go
// to the log, and neither the FIFO nor the reader may be within the agent's reach.
import crypto from 'node:crypto'

import Docker from 'dockerode'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {DockerSandboxSession} from '../../src/sandbox/docker-session.js'
import {BYPASS_AFTER_BYTES, BYPASS_DIR, bypassOpener} from '../../src/sandbox/exec/output-bypass.js'
import type {ExecHandle, ExecOptions} from '../../src/sandbox/types.js'
import {makeEngine, makeProject, settings} from './helpers/fixtures.js'

const MIB = 1024 * 1024

interface Streamed {
  stdout: Buffer
  stderr: string
  order: string[]
}

async function stream(handle: ExecHandle): Promise<Streamed> {
  const stdout: Buffer[] = []
  let stderr = ''
  const order: string[] = []
  for await (const event of handle) {
    if (event.type === 'exit') continue
    if (event.type === 'stdout') stdout.push(event.chunk)
    else stderr += event.chunk.toString()
    if (order.at(-1) !== event.type) order.push(event.type)
  }
  return {stdout: Buffer.concat(stdout), stderr, order}
}

const sha = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex')

describe('output bypass', () => {
  const engine = makeEngine()
  let session: DockerSandboxSession
  const run = (command: string, options: ExecOptions = {}) => session.exec(command, {maxOutputBytes: 4096, ...options})

  beforeAll(async () => {
    session = await engine.open(makeProject(), settings())
    expect(session.backendKind).toBe('runner')
    // The runner makes its FIFOs after its first commands.
    for (let i = 0; i < 3; i += 1) await session.exec('true').result
  })
  afterAll(async () => {
    await session?.close()
  })

  it('hands stdout to a root reader past the threshold; every byte arrives once, in order, stderr alongside', async () => {
    // Numbered lines past the threshold; midway the command reports, on stderr, who reads its stdout by then.
    const lines = 2_000_000
    // It also tries to open its own stdout again through /proc (that link skips the directory's mode, not the FIFO's).
    const command =
      `seq 1 ${lines / 2}; ps -eo user=,args= | grep -c '^root .*[p]erl.*sandbox-agent/out-' >&2; ` +
      `readlink /proc/$$/fd/1 >&2; (: </proc/$$/fd/1) 2>/dev/null && echo reopened >&2; ` +
      `seq ${lines / 2 + 1} ${lines}; exit 7`
    const handle = run(command)
    const out = await stream(handle)
    const result = await handle.result
    const expected = Array.from({length: lines}, (_, i) => `${i + 1}\n`).join('')
    expect(out.stdout.length).toBe(Buffer.byteLength(expected))
    expect(out.stdout.length).toBeGreaterThan(2 * BYPASS_AFTER_BYTES)
    expect(sha(out.stdout)).toBe(sha(expected))
    expect(result.exitCode).toBe(7)
    expect(result.stdout.totalBytes).toBe(out.stdout.length)
    // One reader, as root, was reading by then; the command's stdout is one of the runner's FIFOs.
    expect(out.stderr).toMatch(/^1\n\/dev\/sandbox-agent\/out-\d+-\d+\n$/)
  })

  it('leaves small output with the runner', async () => {
    const out = await stream(run(`seq 1 1000; ps -eo user=,args= | grep -c '[p]erl.*sandbox-agent/out-' >&2 || true`))
    expect(out.stdout.toString()).toBe(Array.from({length: 1000}, (_, i) => `${i + 1}\n`).join(''))
    expect(out.stderr).toBe('0\n')
  })

  it('keeps the FIFOs and the reader out of the agent’s reach', async () => {
    // While a bypassed command prints, another command tries the FIFO directory, the reader, and its own stdout.
    const big = run(`head -c ${3 * BYPASS_AFTER_BYTES} /dev/zero; sleep 3; head -c ${BYPASS_AFTER_BYTES} /dev/zero`)
    const consumed = stream(big)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const probe = await session.exec(
      [
        'ls /dev/sandbox-agent >/dev/null 2>&1 && echo listed',
        'for f in /dev/sandbox-agent/out-*; do [ -e "$f" ] && echo reached; done',
        `reader=$(ps -eo pid=,user=,args= | awk '$2 == "root" && /sandbox-agent\\/out-/ {print $1; exit}')`,
        'echo "reader=${reader:+yes}"',
        'kill -STOP "$reader" 2>/dev/null && echo stopped',
        'kill -KILL "$reader" 2>/dev/null && echo killed',
        `cat /proc/"$reader"/fd/0 2>/dev/null && echo opened`,
        'true',
      ].join('; '),
    ).result
    expect(probe.stdout.text).toBe('reader=yes\n')
    const out = await consumed
    expect(out.stdout.length).toBe(4 * BYPASS_AFTER_BYTES)
    expect(out.stdout.every((byte) => byte === 0)).toBe(true)
    expect((await big.result).exitCode).toBe(0)
  })

  it('sends what processes left behind print later to the log, as without the bypass', async () => {
    const handle = run(`head -c ${2 * BYPASS_AFTER_BYTES} /dev/zero; (sleep 1; echo late-output) &`)
    const out = await stream(handle)
    const result = await handle.result
    expect(out.stdout.length).toBe(2 * BYPASS_AFTER_BYTES)
    expect(result.backgroundPids.length).toBeGreaterThan(0)
    expect(result.backgroundLog).toMatch(/^\/tmp\/sandbox-agent\/bg-\d+\.log$/)
    await new Promise((resolve) => setTimeout(resolve, 2000))
    expect((await session.exec(`cat ${result.backgroundLog}`).result).stdout.text).toBe('late-output\n')
  })

  it('ends a bypassed command at its timeout, and the next command runs', async () => {
    const handle = run('yes', {timeoutMs: 3000})
    const out = await stream(handle)
    const result = await handle.result
    expect(result.timedOut).toBe(true)
    expect(out.stdout.length).toBeGreaterThan(BYPASS_AFTER_BYTES)
    expect((await session.exec('echo next').result).stdout.text).toBe('next\n')
    // No reader is left behind.
    const readers = await session.exec(`ps -eo args= | grep -c '[p]erl.*sandbox-agent/out-' || true`).result
    expect(readers.stdout.text).toBe('0\n')
  })

  it('bounds host memory when nobody reads the live events', async () => {
    const before = process.memoryUsage().rss
    const result = await run('head -c 300000000 /dev/zero').result
    expect(result.stdout.totalBytes).toBe(300_000_000)
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * MIB)
  })
})

/** Runs a shell script in the session's container as root, as the test (not the agent) would: for looking and planting. */
async function asRoot(containerId: string, script: string): Promise<string> {
  const exec = await new Docker().getContainer(containerId).exec({
    Cmd: ['/bin/sh', '-c', script],
    User: '0:0',
    AttachStdout: true,
    AttachStderr: true,
  })
  const socket = await exec.start({hijack: true, stdin: false})
  const out: Buffer[] = []
  const {DockerStreamDemuxer} = await import('../../src/sandbox/runner/chunk-reader.js')
  const demuxer = new DockerStreamDemuxer((stream, chunk) => {
    if (stream === 'stdout') out.push(chunk)
  })
  socket.on('data', (chunk: Buffer) => demuxer.push(chunk))
  await new Promise((resolve) => socket.once('end', resolve))
  return Buffer.concat(out).toString()
}

describe('output bypass reader', () => {
  const engine = makeEngine()
  let session: DockerSandboxSession
  // Variables a user may well set for their commands, pointing where the agent writes: the root reader must not load
  // a module (PERL5LIB/PERL5OPT) nor let its dynamic loader act on them (LD_DEBUG_OUTPUT writes a file per process).
  const env = {PERL5LIB: '/tmp/plib', PERL5OPT: '-MPwn', LD_DEBUG: 'files', LD_DEBUG_OUTPUT: '/tmp/lddebug'}

  beforeAll(async () => {
    session = await engine.open(makeProject(), settings({env}))
    for (let i = 0; i < 3; i += 1) await session.exec('true').result
  })
  afterAll(async () => {
    await session?.close()
  })

  it('runs as uid 0 with no capability, no-new-privileges, in /, with none of the container’s variables', async () => {
    // The agent's module records the uid of every perl that loads it.
    await session.exec(
      `mkdir -p /tmp/plib && echo 'open(my $f, ">>", "/tmp/pwned") and print $f "$<\\n"; 1;' > /tmp/plib/Pwn.pm`,
    ).result
    const big = session.exec(`head -c ${2 * BYPASS_AFTER_BYTES} /dev/zero; sleep 4; echo end`, {maxOutputBytes: 4096})
    const consumed = stream(big)
    let seen = ''
    for (let i = 0; i < 40 && !seen.includes('pid='); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      seen = await asRoot(
        session.containerId,
        `pid=$(ps -eo pid=,args= | awk '$2 == "/usr/bin/perl" && /sandbox-agent\\/out-/ {print $1; exit}'); ` +
          `[ -n "$pid" ] || exit 0; ` +
          `echo "pid=$pid"; grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs):' /proc/$pid/status; ` +
          `echo "cwd=$(readlink /proc/$pid/cwd)"; tr '\\0' '\\n' < /proc/$pid/environ | sed 's/=.*//; s/^/env=/'`,
      )
    }
    const out = await consumed
    expect(out.stdout.length).toBe(2 * BYPASS_AFTER_BYTES + 4)
    const pid = /^pid=(\d+)$/m.exec(seen)?.[1]
    expect(pid, seen).toBeDefined()
    expect(seen).toMatch(/^Uid:\s+0\s+0\s+0\s+0$/m)
    expect(seen).toMatch(/^Groups:\s*$/m)
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
      expect(seen).toMatch(new RegExp(`^${set}:\\s+0000000000000000$`, 'm'))
    }
    expect(seen).toMatch(/^NoNewPrivs:\s+1$/m)
    expect(seen).toMatch(/^cwd=\/$/m)
    const names = [...seen.matchAll(/^env=(.*)$/gm)].map((match) => match[1])
    for (const name of Object.keys(env)) expect(names).not.toContain(name)
    // Nothing the reader's process loaded acted on the container's variables.
    const traces = await asRoot(session.containerId, `ls /tmp/lddebug.${pid}* 2>/dev/null; cat /tmp/pwned 2>/dev/null`)
    expect(traces.split('\n')).not.toContain('0')
    expect(traces).not.toContain(`lddebug.${pid}`)
    // Nor did the runner's own root process that makes the FIFOs (its loader names the program it loads for).
    expect(await asRoot(session.containerId, `grep -l 'needed by /usr/bin/mkfifo' /tmp/lddebug.* 2>/dev/null`)).toBe('')
  })

  it('reads nothing but the runner’s FIFOs: no link, no other file, nothing outside its directory', async () => {
    const open = bypassOpener(new Docker().getContainer(session.containerId))
    await expect(open('/tmp/plib/Pwn.pm', () => undefined)).rejects.toThrow(/not a runner output FIFO/)
    // Entries a root process would have had to plant there (none of the agent's can); each FIFO has a writer waiting.
    const fifo = (file: string) => `mkfifo -m 600 ${file}; (echo planted > ${file} &)`
    await asRoot(
      session.containerId,
      [
        `mkdir -p /tmp/elsewhere && ${fifo('/tmp/elsewhere/fifo')}`,
        `ln -s /tmp/elsewhere/fifo ${BYPASS_DIR}/out-0-1`,
        `echo planted > ${BYPASS_DIR}/out-0-2 && chmod 600 ${BYPASS_DIR}/out-0-2`,
        `${fifo(`${BYPASS_DIR}/out-0-3`)}; chmod 666 ${BYPASS_DIR}/out-0-3`,
        // The agent's own FIFO (made by uid 1000 in a directory root opens for it, then moved in: root has no CAP_CHOWN).
        `mkdir /dev/plant && chmod 777 /dev/plant`,
        `setpriv --reuid=1000 --regid=1000 --clear-groups mkfifo -m 600 /dev/plant/fifo`,
        `(setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'echo planted > /dev/plant/fifo' &)`,
        `sleep 0.2; mv /dev/plant/fifo ${BYPASS_DIR}/out-0-4`,
        `${fifo(`${BYPASS_DIR}/out-0-5`)}`,
      ].join('; '),
    )
    const read = async (file: string) => {
      let text = ''
      const reader = await open(file, (chunk) => (text += chunk.toString()))
      return {outcome: await reader.done, text}
    }
    for (const entry of ['out-0-1', 'out-0-2', 'out-0-3', 'out-0-4']) {
      expect(await read(`${BYPASS_DIR}/${entry}`), entry).toEqual({outcome: 'failed', text: ''})
    }
    // The same FIFO as out-0-5 is read once the directory is root's alone again, and not while it is not.
    await asRoot(session.containerId, `chmod 755 ${BYPASS_DIR}`)
    expect(await read(`${BYPASS_DIR}/out-0-5`)).toEqual({outcome: 'failed', text: ''})
    await asRoot(session.containerId, `chmod 700 ${BYPASS_DIR}`)
    expect(await read(`${BYPASS_DIR}/out-0-5`)).toEqual({outcome: 'ended', text: 'planted\n'})
  })
})

describe('output bypass without a reader', () => {
  const engine = makeEngine()
  let session: DockerSandboxSession

  beforeAll(async () => {
    session = await engine.open(makeProject(), settings({pids: 64}))
    for (let i = 0; i < 3; i += 1) await session.exec('true').result
  })
  afterAll(async () => {
    await session?.close()
  })

  it('has the runner read the rest when the PID limit leaves no room for the reader', async () => {
    // The command forks until the PID limit is reached (the reader would count against it), then becomes the printer
    // itself. Every byte arrives, and none of the daemon's word that the reader could not start.
    const handle = session.exec(
      `exec perl -e 'while (1) { my $p = fork; last unless defined $p; if ($p == 0) { sleep 30; exit 0 } } ` +
        `exec "head", "-c", ${3 * BYPASS_AFTER_BYTES}, "/dev/zero"'`,
      {maxOutputBytes: 4096},
    )
    const out = await stream(handle)
    expect(out.stdout.length).toBe(3 * BYPASS_AFTER_BYTES)
    expect(out.stdout.every((byte) => byte === 0)).toBe(true)
    expect((await handle.result).exitCode).toBe(0)
  })
})
