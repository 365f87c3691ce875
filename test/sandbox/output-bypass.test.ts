// The output bypass: past a few MiB a command's stdout is read by the host's own `docker exec` reader instead of the
// runner. Every byte must still arrive once and in order, the command's end must wait for it, leftovers must still go
// to the log, and neither the FIFO nor the reader may be within the agent's reach.
import crypto from 'node:crypto'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {DockerSandboxSession} from '../../src/sandbox/docker-session.js'
import {BYPASS_AFTER_BYTES} from '../../src/sandbox/exec/output-bypass.js'
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
    const command =
      `seq 1 ${lines / 2}; ps -eo user=,args= | grep -c '^root .*[p]erl.*sandbox-agent/out-' >&2; ` +
      `readlink /proc/$$/fd/1 >&2; seq ${lines / 2 + 1} ${lines}; exit 7`
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
