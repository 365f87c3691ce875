// Streamed execution through the runner: streams kept apart, exit codes, signals, timeouts, aborts, background, bounds.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {DockerSandboxSession} from '../../src/sandbox/docker-session.js'
import type {ExecEvent} from '../../src/sandbox/types.js'
import {makeEngine, makeProject, settings} from './helpers/fixtures.js'

async function collect(handle: AsyncIterable<ExecEvent>): Promise<ExecEvent[]> {
  const events: ExecEvent[] = []
  for await (const event of handle) events.push(event)
  return events
}

describe('sandbox exec', () => {
  const engine = makeEngine()
  let session: DockerSandboxSession

  beforeAll(async () => {
    session = await engine.open(makeProject({'sub/file.txt': 'in sub\n'}), settings())
    expect(session.backendKind).toBe('runner')
  })
  afterAll(async () => {
    await session?.close()
  })

  it('streams stdout and stderr apart, in order, then the exit', async () => {
    const events = await collect(session.exec('echo out1; sleep 0.05; echo err1 >&2; sleep 0.05; echo out2; exit 3'))
    const summary = events.map((e) =>
      e.type === 'exit' ? `exit:${e.result.exitCode}` : `${e.type}:${e.chunk.toString().trim()}`,
    )
    expect(summary).toEqual(['stdout:out1', 'stderr:err1', 'stdout:out2', 'exit:3'])
    const exit = events.at(-1)!
    expect(exit.type === 'exit' && exit.result.stdout.text).toBe('out1\nout2\n')
    expect(exit.type === 'exit' && exit.result.stderr.text).toBe('err1\n')
  })

  it('reports a signal when the shell is killed by one', async () => {
    const result = await session.exec('kill -KILL $$').result
    expect(result.exitCode).toBeNull()
    expect(result.signal).toBe('SIGKILL')
    expect(result.timedOut).toBe(false)
  })

  it('runs in a directory relative to /workspace with extra env', async () => {
    const result = await session.exec('pwd; cat file.txt; echo $EXTRA', {cwd: 'sub', env: {EXTRA: 'x1'}}).result
    expect(result.stdout.text).toBe('/workspace/sub\nin sub\nx1\n')
    const missing = await session.exec('true', {cwd: 'nope'}).result
    expect(missing.exitCode).toBeNull()
    expect(missing.error).toContain('/workspace/nope')
  })

  it('kills the whole process group on timeout, with KILL for what ignores TERM', async () => {
    const result = await session.exec('sleep 60 & sleep 61', {timeoutMs: 400}).result
    expect(result.timedOut).toBe(true)
    expect(result.signal).toBe('SIGTERM')
    // A timeout never fires before its delay; that it fires at all is the test finishing long before `sleep 60`.
    expect(result.durationMs).toBeGreaterThanOrEqual(400)
    const stubborn = await session.exec(`trap '' TERM; sleep 62 & trap '' TERM; sleep 63; echo survived`, {
      timeoutMs: 300,
    }).result
    expect(stubborn.timedOut).toBe(true)
    expect(stubborn.signal).toBe('SIGKILL')
    expect(stubborn.stdout.text).not.toContain('survived')
    await new Promise((resolve) => setTimeout(resolve, 300))
    const left = await session.exec('pgrep -x sleep || echo none').result
    expect(left.stdout.text.trim()).toBe('none')
  })

  it('aborts a running command when the signal fires (first reason wins)', async () => {
    const controller = new AbortController()
    const handle = session.exec('sleep 30', {signal: controller.signal, timeoutMs: 20_000})
    setTimeout(() => controller.abort(), 200)
    const result = await handle.result
    expect(result.canceled).toBe(true)
    expect(result.timedOut).toBe(false)
    expect(result.signal).toBe('SIGTERM')
    // Not before the abort (after 200 ms); the first reason wins: no timeout was reported.
    expect(result.durationMs).toBeGreaterThanOrEqual(190)
    const already = await session.exec('echo never', {signal: AbortSignal.abort()}).result
    expect(already.canceled).toBe(true)
    expect(already.stdout.totalBytes).toBe(0)
  })

  it('starts background commands at once, lists PIDs left behind, and kills them at the end', async () => {
    // The result arrives while the command still runs (its `sleep 300` is alive below): it does not wait for it.
    const bg = await session.exec('echo from-bg; sleep 300', {background: true}).result
    expect(bg.exitCode).toBeNull()
    expect(bg.backgroundPids).toHaveLength(1)
    expect(bg.backgroundLog).toMatch(/^\/tmp\/sandbox-agent\//)
    const leftover = await session.exec('sleep 301 & echo started').result
    expect(leftover.exitCode).toBe(0)
    expect(leftover.stdout.text).toBe('started\n')
    expect(leftover.backgroundPids).toHaveLength(1)
    const pids = [...bg.backgroundPids, ...leftover.backgroundPids]
    expect((await session.exec(`kill -0 ${pids.join(' ')} && echo alive`).result).stdout.text).toBe('alive\n')
    expect((await session.exec(`cat ${bg.backgroundLog}`).result).stdout.text).toBe('from-bg\n')
    await session.killBackground()
    expect((await session.exec(`kill -0 ${pids.join(' ')} 2>/dev/null || echo dead`).result).stdout.text).toBe('dead\n')
  })

  it('keeps head and tail of long output, while the live stream gets every byte', async () => {
    const handle = session.exec(`seq 1 200000`, {maxOutputBytes: 1000})
    let live = 0
    for await (const event of handle) if (event.type === 'stdout') live += event.chunk.length
    const result = await handle.result
    expect(live).toBe(result.stdout.totalBytes)
    expect(result.stdout.totalBytes).toBe(1288895)
    expect(result.stdout.omittedBytes).toBe(1288895 - 1000)
    expect(result.stdout.text.startsWith('1\n2\n3\n')).toBe(true)
    expect(result.stdout.text.endsWith('199999\n200000\n')).toBe(true)
    expect(result.stdout.text).toContain('bytes omitted')
  })

  it('streams large output with bounded host memory, even when nobody reads the live events', async () => {
    const before = process.memoryUsage().rss
    let live = 0
    const handle = session.exec('head -c 200000000 /dev/zero')
    for await (const event of handle) if (event.type === 'stdout') live += event.chunk.length
    expect(live).toBe(200_000_000)
    const ignored = await session.exec('head -c 100000000 /dev/zero').result
    expect(ignored.stdout.totalBytes).toBe(100_000_000)
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024)
  })

  it('reads, writes and lists files', async () => {
    await session.writeFile('notes/new.txt', 'written\n')
    expect((await session.readFile('notes/new.txt')).toString()).toBe('written\n')
    const entries = await session.list('.')
    expect(entries.map((e) => e.name).sort()).toEqual(expect.arrayContaining(['notes', 'sub']))
  })

  it('reports an OOM kill', async () => {
    const result = await session.exec(`python3 -c "b = b'x' * (1024 ** 3)"`).result
    expect(result.signal).toBe('SIGKILL')
    expect(result.oomKilled).toBe(true)
  })

  it('runs with a TTY when asked', async () => {
    const result = await session.exec('test -t 1 && echo is-a-tty', {tty: true}).result
    expect(result.stdout.text).toContain('is-a-tty')
    expect(result.exitCode).toBe(0)
  })

  it('makes commands, not the runner, what the OOM killer takes first', async () => {
    const result = await session.exec('cat /proc/self/oom_score_adj; cat /proc/1/oom_score_adj').result
    expect(result.stdout.text.split('\n').slice(0, 2)).toEqual(['1000', '0'])
  })

  it('starts a background command at once even when a TTY was asked', async () => {
    const result = await session.exec('sleep 300', {tty: true, background: true, timeoutMs: 20_000}).result
    expect(result.timedOut).toBe(false)
    expect(result.backgroundPids).toHaveLength(1)
    await session.killBackground()
  })

  it('sees a quick program on a terminal end, even when sized at open', async () => {
    for (let i = 0; i < 10; i++) {
      const terminal = await session.openTerminal('true', {cols: 80, rows: 24})
      terminal.stream.resume()
      expect(await terminal.exit).toBe(0)
    }
  })
})

describe('sandbox exec when the container dies', () => {
  it('reports containerGone', async () => {
    const engine = makeEngine()
    await using session = await engine.open(makeProject(), settings())
    const handle = session.exec('sleep 30')
    await new Promise((resolve) => setTimeout(resolve, 200))
    await engine.docker.getContainer(session.containerId).kill()
    const result = await handle.result
    expect(result.containerGone).toBe(true)
    expect(result.oomKilled).toBe(false)
  })
})
