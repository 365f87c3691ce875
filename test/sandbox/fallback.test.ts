// Images without the runner (no node, or a custom image): the same session API over plain docker exec.
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {runnerlessImage} from './helpers/test-image.js'
import {makeEngine, makeProject, settings} from './helpers/fixtures.js'

describe('docker exec fallback', () => {
  it('runs commands, timeouts, background and changes without the runner', async () => {
    const engine = makeEngine()
    const dir = makeProject({'a.txt': 'one\n'})
    // The image has node but not /opt/sandbox-agent/runner.js.
    await using session = await engine.open(dir, settings({image: runnerlessImage()}))
    expect(session.backendKind).toBe('docker-exec')
    const result = await session.exec('echo out; echo err >&2; echo $QWEN_CODE; exit 4', {cwd: '.'}).result
    expect(result.exitCode).toBe(4)
    expect(result.stdout.text).toBe('out\n1\n')
    expect(result.stderr.text).toBe('err\n')
    const timedOut = await session.exec('sleep 30', {timeoutMs: 300}).result
    expect(timedOut.timedOut).toBe(true)
    const leftover = await session.exec('sleep 200 & echo started').result
    expect(leftover.backgroundPids).toHaveLength(1)
    const bg = await session.exec('sleep 300', {background: true}).result
    expect(bg.backgroundPids).toHaveLength(1)
    await session.killBackground()
    expect((await session.exec('pgrep -f "sleep [23]00" || echo none').result).stdout.text).toBe('none\n')
    await session.writeFile('b.txt', 'bee\n')
    expect((await session.readFile('b.txt')).toString()).toBe('bee\n')
    await session.exec('echo two >> a.txt').result
    const changes = await session.changes()
    expect(changes.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['modified a.txt', 'added b.txt'])
    await session.apply(changes)
    expect(fs.readFileSync(path.join(dir, 'b.txt'), 'utf8')).toBe('bee\n')
  })
})
