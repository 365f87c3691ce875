// `agent sandbox ls` and `prune` against real containers this test creates (tagged with a per-run label; nothing else is touched).
import {spawnSync} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import os from 'node:os'
import {Readable} from 'node:stream'
import type Docker from 'dockerode'
import {pack as tarPack} from 'tar-stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createDockerClient} from '../../src/sandbox/docker-client.js'
import {defaultImageName} from '../../src/sandbox/image/definition.js'
import {Labels} from '../../src/sandbox/labels.js'
import {assertBuilt, runCli} from './run-cli.js'

const RUN_LABEL = 'dev.sandbox-agent.test-run'
const run = randomUUID().slice(0, 8)
const only = ['--label', `${RUN_LABEL}=${run}`]
const docker: Docker = createDockerClient()
const tinyImage = `sandbox-agent/test-foundation:${run}`

/** A PID that certainly existed and is now gone: a child we waited for. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  return child.pid ?? 999_999
}

function labels(extra: Record<string, string>): Record<string, string> {
  return {[Labels.managed]: 'true', [RUN_LABEL]: run, [Labels.createdAt]: new Date().toISOString(), ...extra}
}

/** The sandbox image (it has sleep). Never pulls. */
async function runnableImage(): Promise<string> {
  for (const candidate of [defaultImageName()]) {
    try {
      await docker.getImage(candidate).inspect()
      return candidate
    } catch {
      // try the next
    }
  }
  throw new Error('no local image to run: build one with `node bin/run.js sandbox build`')
}

/** A one-file image imported from memory, carrying the managed label: only --all may remove it. */
async function importTinyImage(): Promise<void> {
  const tar = tarPack()
  tar.entry({name: 'hello.txt'}, 'hello\n')
  tar.finalize()
  const [repo, tag] = tinyImage.split(':') as [string, string]
  const stream = await docker.importImage(Readable.from(tar) as unknown as NodeJS.ReadableStream, {
    repo,
    tag,
    changes: [`LABEL ${Labels.managed}=true`, `LABEL ${RUN_LABEL}=${run}`],
  })
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())),
  )
}

const ids: Record<string, string> = {}
let volumeName = ''
let livePid = 0
let orphanPid = 0

beforeAll(async () => {
  assertBuilt()
  const image = await runnableImage()
  const host = os.hostname()
  livePid = process.pid
  orphanPid = deadPid()
  volumeName = `sandbox-agent-test-${run}`
  await docker.createVolume({Name: volumeName, Labels: labels({[Labels.sessionId]: `exited-${run}`})})
  await importTinyImage()

  const make = async (
    key: string,
    extra: Record<string, string>,
    start: 'sleep' | 'exit' | 'no',
    binds: string[] = [],
  ) => {
    const c = await docker.createContainer({
      Image: image,
      Cmd: start === 'exit' ? ['true'] : ['sleep', 'infinity'],
      Labels: labels({[Labels.sessionId]: `${key}-${run}`, [Labels.workspace]: `/tmp/ws-${key}`, ...extra}),
      HostConfig: {NetworkMode: 'none', Binds: binds},
    })
    ids[key] = c.id
    if (start !== 'no') await c.start()
    if (start === 'exit') await c.wait()
  }
  await make('exited', {}, 'exit', [`${volumeName}:/data`])
  await make('live', {[Labels.ownerPid]: String(livePid), [Labels.ownerHost]: host}, 'sleep')
  await make('orphan', {[Labels.ownerPid]: String(orphanPid), [Labels.ownerHost]: host}, 'sleep')
  await make('kept', {[Labels.kept]: 'true', [Labels.ownerPid]: String(orphanPid), [Labels.ownerHost]: host}, 'exit')
})

afterAll(async () => {
  // Only what this run created, found by its own label.
  const mine = await docker.listContainers({all: true, filters: {label: [`${RUN_LABEL}=${run}`]}})
  await Promise.all(
    mine.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({force: true, v: true})
        .catch(() => undefined),
    ),
  )
  await docker
    .getVolume(volumeName)
    .remove()
    .catch(() => undefined)
  await docker
    .getImage(tinyImage)
    .remove()
    .catch(() => undefined)
})

interface LsJson {
  containers: Array<{
    id: string
    sessionId?: string
    state: string
    owner: string
    ownerPid?: number
    kept: boolean
    workspace?: string
  }>
  volumes: Array<{name: string}>
  images: Array<{tags: string[]}>
}

async function ls(): Promise<LsJson> {
  const result = await runCli(['sandbox', 'ls', '--json', ...only])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as LsJson
}

const present = async (): Promise<string[]> => {
  const list = await ls()
  return Object.entries(ids)
    .filter(([, id]) => list.containers.some((c) => c.id === id))
    .map(([key]) => key)
    .sort()
}

describe('agent sandbox ls', () => {
  it('lists our containers with session, workspace, state and owner alive/orphan, plus volumes and images', async () => {
    const list = await ls()
    const byKey = (key: string) => list.containers.find((c) => c.id === ids[key])
    expect(list.containers).toHaveLength(4)
    expect(byKey('exited')).toMatchObject({
      state: 'exited',
      owner: 'unknown',
      sessionId: `exited-${run}`,
      workspace: '/tmp/ws-exited',
    })
    expect(byKey('live')).toMatchObject({state: 'running', owner: 'alive', ownerPid: livePid})
    expect(byKey('orphan')).toMatchObject({state: 'running', owner: 'orphan', ownerPid: orphanPid})
    expect(byKey('kept')).toMatchObject({state: 'exited', kept: true})
    expect(list.volumes.map((v) => v.name)).toEqual([volumeName])
    expect(list.images.map((i) => i.tags)).toEqual([[tinyImage]])
  })

  it('prints readable tables', async () => {
    const result = await runCli(['sandbox', 'ls', ...only])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^CONTAINERS\n {2}ID +SESSION +STATE +CREATED +OWNER +WORKSPACE\n/)
    expect(result.stdout).toContain(ids.live?.slice(0, 12))
    expect(result.stdout).toMatch(new RegExp(`orphan \\(pid ${orphanPid}\\)`))
    expect(result.stdout).toMatch(new RegExp(`alive \\(pid ${livePid}\\)`))
    expect(result.stdout).toContain(tinyImage)
  })
})

describe('agent sandbox prune', () => {
  it('--dry-run lists what would go and removes nothing', async () => {
    const result = await runCli(['sandbox', 'prune', '--dry-run', ...only])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`would remove container ${ids.exited?.slice(0, 12)}`)
    expect(result.stdout).toContain(`would remove container ${ids.orphan?.slice(0, 12)}`)
    expect(result.stdout).toContain(`would remove volume ${volumeName}`)
    expect(result.stdout).toMatch(new RegExp(`left container ${ids.live?.slice(0, 12)}: in use`))
    expect(await present()).toEqual(['exited', 'kept', 'live', 'orphan'])
  })

  it('removes exited and orphaned containers with their volume; leaves the live and the kept one and images', async () => {
    const result = await runCli(['sandbox', 'prune', ...only])
    expect(result.code, result.stderr).toBe(0)
    expect(await present()).toEqual(['kept', 'live'])
    const list = await ls()
    expect(list.volumes).toEqual([])
    expect(list.images).toHaveLength(1)
    expect((await docker.getContainer(ids.live as string).inspect()).State.Running).toBe(true)
  })

  it('--all also removes kept sessions and images, never a container a live process owns', async () => {
    const result = await runCli(['sandbox', 'prune', '--all', '--json', ...only])
    expect(result.code, result.stderr).toBe(0)
    const out = JSON.parse(result.stdout) as {removed: Array<{kind: string; id: string}>}
    expect(out.removed).toEqual(
      expect.arrayContaining([
        {kind: 'container', id: ids.kept?.slice(0, 12)},
        {kind: 'image', id: tinyImage},
      ]),
    )
    expect(await present()).toEqual(['live'])
    expect((await ls()).images).toEqual([])
  })

  it('--force takes the live one too', async () => {
    const result = await runCli(['sandbox', 'prune', '--force', ...only])
    expect(result.code, result.stderr).toBe(0)
    expect(await present()).toEqual([])
  })
})
