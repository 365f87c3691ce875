// The warm pool (sandbox.warmPool): containers started ahead, each claimed by one session only, checked on claim exactly
// as a fresh container is, and cleared out when expired, half-made or tampered with.
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {pino} from 'pino'
import {afterAll, describe, expect, it} from 'vitest'

import {containerSpec} from '../../src/sandbox/lifecycle/container-spec.js'
import {SessionLabels, containerName, volumeName} from '../../src/sandbox/lifecycle/session-names.js'
import {inspectSandboxImage} from '../../src/sandbox/open/check-image.js'
import {fillPool} from '../../src/sandbox/pool/fill-pool.js'
import {listPoolContainers} from '../../src/sandbox/pool/pool-containers.js'
import {poolRequest} from '../../src/sandbox/pool/pool-key.js'
import {silentLogger} from '../../src/logging/logger.js'
import {createDockerFromEnv} from '../../src/sandbox/docker-connection.js'
import {makeEngine, makeProject, settings} from './helpers/fixtures.js'

const run = promisify(execFile)
const docker = createDockerFromEnv()
// A memory size no other test uses: this file's pool key is its own, and cleanup touches only its containers.
const poolSettings = settings({warmPool: 1, memory: '515m'})

/** The request the engine makes for these settings: the key tells this file's pool containers apart. */
async function request() {
  const image = poolSettings.image!
  const {runnerUser, id} = await inspectSandboxImage(docker, image)
  return poolRequest({image, imageId: id, settings: poolSettings, hostEnv: process.env, runnerUser, options: {}})!
}

async function waiting() {
  const {key} = await request()
  return (await listPoolContainers(docker)).filter((c) => c.key === key)
}

/** An engine whose 'session open' log lines are kept, to see whether a session came from the pool. */
function loggingEngine() {
  const opens: Array<{session: string; warmPool?: string}> = []
  const logger = pino(
    {level: 'info'},
    {
      write(line: string) {
        const entry = JSON.parse(line) as {msg?: string; session: string; warmPool?: string}
        if (entry.msg === 'session open') opens.push(entry)
      },
    },
  )
  return {engine: makeEngine({logger}), opens}
}

/**
 * Puts a container of our own making into this file's pool, as a refill would name and label it, after emptying the
 * pool: `expires` sets its expiry label, `hostConfig` loosens what the spec says (to see the claim refuse it).
 */
async function plantPoolContainer(prefix: string, expires: string, hostConfig: Record<string, unknown> = {}) {
  const pool = await request()
  for (const c of await waiting()) await run('docker', ['rm', '-f', '-v', c.containerId])
  const sessionId =
    prefix +
    Math.floor(Math.random() * 1e8)
      .toString(16)
      .padStart(8, '0')
  const spec = containerSpec({
    sessionId,
    workspace: '',
    image: pool.image,
    settings: pool.settings,
    runnerUser: pool.runnerUser,
  })
  const container = await docker.createContainer({
    ...spec,
    name: containerName(sessionId, {kind: 'pool'}),
    Labels: {...spec.Labels, [SessionLabels.pool]: pool.key, [SessionLabels.poolExpires]: expires},
    ...(Object.keys(hostConfig).length > 0
      ? {NetworkDisabled: false, HostConfig: {...spec.HostConfig, ...hostConfig}}
      : {}),
  })
  return {pool, sessionId, container}
}

afterAll(async () => {
  const {key} = await request()
  const {stdout} = await run('docker', ['ps', '-aq', '--filter', `label=${SessionLabels.pool}=${key}`])
  for (const id of stdout.split('\n').filter(Boolean)) await run('docker', ['rm', '-f', '-v', id])
  const volumes = await run('docker', ['volume', 'ls', '-q', '--filter', `label=${SessionLabels.pool}=${key}`])
  for (const name of volumes.stdout.split('\n').filter(Boolean)) await run('docker', ['volume', 'rm', name])
})

describe('warm pool', () => {
  it('gives each waiting container to one session only, refills, and never puts a claimed one back', async () => {
    const {engine, opens} = loggingEngine()
    const projectA = makeProject({'a.txt': 'project a\n'})
    const projectB = makeProject({'b.txt': 'project b\n'})

    const first = await engine.open(projectA, poolSettings)
    await first.close()
    await engine.poolSettled()
    const [ready] = await waiting()
    expect(ready?.running).toBe(true)

    const second = await engine.open(projectB, poolSettings)
    try {
      expect(second.id).toBe(ready!.sessionId)
      expect(opens.at(-1)).toMatchObject({session: ready!.sessionId, warmPool: 'claimed'})
      const out = await second.exec('id -u; ls /workspace').result
      expect(out.stdout.text).toBe('1000\nb.txt\n')
      const {stdout: name} = await run('docker', ['inspect', '-f', '{{.Name}}', ready!.containerId])
      expect(name.trim()).toBe(`/${containerName(ready!.sessionId, {kind: 'active', ownerPid: process.pid})}`)
    } finally {
      await second.close()
    }
    await engine.poolSettled()
    // The claimed one is gone with its session (container and volume); a new one waits in its place.
    await expect(run('docker', ['inspect', ready!.containerId])).rejects.toThrow()
    await expect(run('docker', ['volume', 'inspect', volumeName(ready!.sessionId)])).rejects.toThrow()
    const next = await waiting()
    expect(next).toHaveLength(1)
    expect(next[0]!.sessionId).not.toBe(ready!.sessionId)

    const third = await engine.open(projectA, poolSettings)
    try {
      expect(third.id).toBe(next[0]!.sessionId)
      expect((await third.exec('ls /workspace').result).stdout.text).toBe('a.txt\n')
    } finally {
      await third.close()
    }
    await engine.poolSettled()
  }, 120_000)

  it('is not used with --keep or --reuse, whose containers are found later by their project label', async () => {
    const {engine, opens} = loggingEngine()
    await fillPool(docker, await request(), silentLogger())
    const [ready] = await waiting()
    const project = makeProject({'k.txt': 'k\n'})
    const kept = await engine.open(project, poolSettings, {keep: true})
    await kept.close()
    expect(kept.id).not.toBe(ready!.sessionId)
    expect(opens.at(-1)?.warmPool).toBeUndefined()
    expect((await waiting()).map((c) => c.sessionId)).toEqual([ready!.sessionId])
  }, 60_000)

  it('runs the isolation self-test on the claimed container: one made with a looser spec is refused and removed', async () => {
    // A container under this key that has the network the settings say it must not have.
    const {sessionId, container: loose} = await plantPoolContainer('bad0', '2999-01-01T00:00:00Z', {
      NetworkMode: 'bridge',
    })
    await docker.createVolume({Name: volumeName(sessionId)})
    await loose.start()

    const {engine} = loggingEngine()
    await expect(engine.open(makeProject({'x.txt': 'x\n'}), poolSettings)).rejects.toThrow(
      /The sandbox is not isolated as configured/,
    )
    await expect(run('docker', ['inspect', loose.id])).rejects.toThrow()
    await engine.poolSettled()
  }, 60_000)

  it('removes expired and half-made pool containers when it refills', async () => {
    const {pool, sessionId, container: expired} = await plantPoolContainer('e0e0', '2000-01-01T00:00:00Z')
    await expired.start()
    expect(await fillPool(docker, pool, silentLogger())).toBe(1)
    await expect(run('docker', ['inspect', expired.id])).rejects.toThrow()
    const now = await waiting()
    expect(now).toHaveLength(1)
    expect(now[0]!.sessionId).not.toBe(sessionId)
  }, 60_000)
})
