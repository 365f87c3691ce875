// Session lifecycle: keep and re-open later, discard, orphan-free exit on SIGINT, orphan detection, warm reuse.
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {findOrphans, removeSandboxContainer} from '../../src/sandbox/lifecycle/orphans.js'
import {makeEngine, makeProject, settings} from './helpers/fixtures.js'
import {testImage} from './helpers/test-image.js'

const HOLD = path.resolve(import.meta.dirname, 'helpers/hold-session.ts')

function startHolder(project: string, extra: string[] = []) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'))
  const child = spawn(process.execPath, ['--import', 'tsx', HOLD, project, stateDir, testImage(), ...extra], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /READY (\w+)/.exec(output)
      if (match) resolve(match[1]!)
    })
    child.on('exit', (code) => reject(new Error(`holder exited (${code}): ${stderr}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {child, ready, exited, output: () => output}
}

describe('session lifecycle', () => {
  it('keeps a stopped session, re-opens it for changes and apply, then discards it', async () => {
    const engine = makeEngine()
    const dir = makeProject({'a.txt': 'one\n'})
    const session = await engine.open(dir, settings(), {keep: true})
    await session.exec('echo two >> a.txt').result
    await session.keep()
    const kept = await engine.findSession(session.id)
    expect(kept.session.kind).toBe('kept')
    expect(kept.dockerState).toBe('exited')

    const reopened = await engine.resume(session.id.slice(0, 6))
    const changes = await reopened.changes()
    expect(changes.changes.map((c) => c.path)).toEqual(['a.txt'])
    const report = await reopened.apply(changes)
    expect(report.applied).toEqual(['a.txt'])
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('one\ntwo\n')
    await reopened.keep()
    expect((await engine.findSession(session.id)).dockerState).toBe('exited')

    await engine.discard(session.id)
    await expect(engine.findSession(session.id)).rejects.toThrow(/No sandbox session/)
    await expect(engine.docker.getVolume(kept.volume!).inspect()).rejects.toMatchObject({statusCode: 404})
    expect(await engine.store.load(session.id)).toBeUndefined()
  })

  it('removes the container when the CLI gets SIGINT, aborting the running command first', async () => {
    const holder = startHolder(makeProject({'a.txt': 'a\n'}))
    const containerId = await holder.ready
    const engine = makeEngine()
    expect((await engine.docker.getContainer(containerId).inspect()).State.Running).toBe(true)
    holder.child.kill('SIGINT')
    expect(await holder.exited).toBe(130)
    expect(holder.output()).toContain('COMMAND canceled')
    expect(holder.output()).toContain('CLEANED')
    await expect(engine.docker.getContainer(containerId).inspect()).rejects.toMatchObject({statusCode: 404})
  })

  it('stops and keeps the container on SIGINT when keep was asked', async () => {
    const holder = startHolder(makeProject({'a.txt': 'a\n'}), ['--keep'])
    const containerId = await holder.ready
    holder.child.kill('SIGINT')
    await holder.exited
    const engine = makeEngine()
    const info = await engine.docker.getContainer(containerId).inspect()
    expect(info.State.Running).toBe(false)
    expect(info.Name).toMatch(/--kept$/)
    await removeSandboxContainer(engine.docker, {containerId, volume: info.Mounts[0]?.Name})
  })

  it('finds the container of a killed CLI as an orphan', async () => {
    const holder = startHolder(makeProject())
    const containerId = await holder.ready
    holder.child.kill('SIGKILL')
    await holder.exited
    const engine = makeEngine()
    const orphans = await findOrphans(engine.docker)
    const orphan = orphans.find((o) => o.containerId === containerId)
    expect(orphan).toBeDefined()
    expect(orphans.every((o) => o.ownerPid !== process.pid)).toBe(true)
    await removeSandboxContainer(engine.docker, orphan!)
    await expect(engine.docker.getContainer(containerId).inspect()).rejects.toMatchObject({statusCode: 404})
  })

  it('reuses a warm container for the same workspace, reset to the host copy', async () => {
    const engine = makeEngine()
    const dir = makeProject({'a.txt': 'host\n'})
    const first = await engine.open(dir, settings(), {reuse: true})
    await first.exec('echo scratch > scratch.txt; sleep 500 &').result
    await first[Symbol.asyncDispose]()
    const idle = await engine.findSession(first.id)
    expect(idle.session.kind).toBe('idle')
    expect(idle.dockerState).toBe('running')

    // How much faster reuse is: bench/session-ready.ts.
    const second = await engine.open(dir, settings(), {reuse: true})
    try {
      expect(second.id).toBe(first.id)
      const out = (await second.exec('ls; pgrep -x sleep || echo no-sleep').result).stdout.text
      expect(out).toBe('a.txt\nno-sleep\n')
    } finally {
      await second.close()
    }
    await expect(engine.findSession(first.id)).rejects.toThrow()
  })

  it('--mount mode copies through a helper: the session sees no bind of the project, and works on a copy', async () => {
    const engine = makeEngine()
    const dir = makeProject({'a.txt': 'one\n', 'secret.txt': 'x\n', '.qwenignore': 'secret.txt\n'})
    // The container user (uid 1000) reads the bind mount with the host's permissions.
    fs.chmodSync(dir, 0o755)
    await using session = await engine.open(dir, settings(), {mount: true})
    const out = (
      await session.exec('ls -A; cat /mnt/host-workspace/secret.txt 2>/dev/null || echo NO-MOUNT; echo two >> a.txt')
        .result
    ).stdout.text
    expect(out).toBe('.qwenignore\na.txt\nNO-MOUNT\n')
    const info = await engine.docker.getContainer(session.containerId).inspect()
    expect(info.Mounts.map((m) => m.Type)).toEqual(['volume'])
    const changes = await session.changes()
    expect(changes.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['modified a.txt'])
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('one\n')
    await session.apply(changes)
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('one\ntwo\n')
  })
})
