// A remote engine: a second dockerd on a loopback TCP port, reached only through DOCKER_HOST (no shared filesystem used).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createDockerFromEnv} from '../../src/sandbox/docker-connection.js'
import {DockerSandboxEngine} from '../../src/sandbox/docker-engine.js'
import {canRunDockerd, loadImage, secondDockerd} from '../helpers/second-dockerd.js'
import {makeProject, settings} from './helpers/fixtures.js'
import {testImage} from './helpers/test-image.js'

// Runs only as root with dockerd installed (CI is both).
describe.skipIf(!canRunDockerd())('remote Docker engine over TCP', () => {
  const daemon = secondDockerd({port: 23750, bridgeAddress: '10.213.77.1/24', name: 'remote'})
  const DOCKER_HOST = daemon.host

  beforeAll(async () => {
    await daemon.start()
    loadImage(testImage(), DOCKER_HOST)
  })

  afterAll(() => daemon.dispose())

  it('runs a whole session through DOCKER_HOST: copy in, exec, changes, apply, remove', async () => {
    const docker = createDockerFromEnv({...process.env, DOCKER_HOST})
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'))
    const engine = new DockerSandboxEngine({docker, stateDir})
    const dir = makeProject({'a.txt': 'remote\n', 'bin.dat': Buffer.from([0, 1, 2, 3])})
    const session = await engine.open(dir, settings())
    try {
      // the container lives on the remote daemon only
      expect((await docker.getContainer(session.containerId).inspect()).Config.Image).toBe(testImage())
      await expect(createDockerFromEnv({}).getContainer(session.containerId).inspect()).rejects.toMatchObject({
        statusCode: 404,
      })
      const result = await session.exec('cat a.txt; od -An -tx1 bin.dat; echo more >> a.txt').result
      expect(result.stdout.text).toBe('remote\n 00 01 02 03\n')
      const changes = await session.changes()
      expect(changes.changes.map((c) => c.path)).toEqual(['a.txt'])
      await session.apply(changes)
      expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('remote\nmore\n')
    } finally {
      await session.close()
    }
    expect(await engine.sessions()).toEqual([])
  })
})
