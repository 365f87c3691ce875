// A remote engine: a second dockerd on a loopback TCP port, reached only through DOCKER_HOST (no shared filesystem used).
import {execFileSync, execSync, spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {connectDocker} from '../../src/sandbox/docker-connection.js'
import {DockerSandboxEngine} from '../../src/sandbox/docker-engine.js'
import {makeProject, settings} from './helpers/fixtures.js'
import {testImage} from './helpers/test-image.js'

const PORT = 23750
const DOCKER_HOST = `tcp://127.0.0.1:${PORT}`
// The second daemon gets a bridge of its own: with `--bridge none` dockerd deletes the host's docker0 (it shares our
// network namespace), which would break the main daemon's bridge network.
const BRIDGE = `sa-br-${process.pid % 100000}`
const BRIDGE_ADDRESS = '10.213.77.1/24'
const canRunDockerd =
  process.getuid?.() === 0 &&
  (() => {
    try {
      execFileSync('dockerd', ['--version'], {stdio: 'ignore'})
      return true
    } catch {
      return false
    }
  })()

async function waitForDaemon(host: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const docker = connectDocker({DOCKER_HOST: host})
  for (;;) {
    try {
      await docker.ping()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

describe.skipIf(!canRunDockerd)('remote Docker engine over TCP', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerd2-'))
  let daemon: ChildProcess | undefined

  beforeAll(async () => {
    const image = testImage()
    execFileSync('ip', ['link', 'add', BRIDGE, 'type', 'bridge'])
    execFileSync('ip', ['addr', 'add', BRIDGE_ADDRESS, 'dev', BRIDGE])
    daemon = spawn(
      'dockerd',
      [
        '--host',
        DOCKER_HOST,
        '--data-root',
        path.join(root, 'data'),
        '--exec-root',
        path.join(root, 'exec'),
        '--pidfile',
        path.join(root, 'dockerd.pid'),
        '--bridge',
        BRIDGE,
        '--iptables=false',
        '--ip-masq=false',
        '--containerd-namespace',
        `sandbox-test-${process.pid}`,
        '--containerd-plugins-namespace',
        `sandbox-test-plugins-${process.pid}`,
      ],
      {
        stdio: [
          'ignore',
          fs.openSync(path.join(root, 'dockerd.log'), 'a'),
          fs.openSync(path.join(root, 'dockerd.log'), 'a'),
        ],
      },
    )
    await waitForDaemon(DOCKER_HOST, 30_000)
    execSync(`docker save ${image} | docker -H ${DOCKER_HOST} load -q`, {stdio: 'ignore', shell: '/bin/bash'})
  })

  afterAll(async () => {
    if (daemon?.pid && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon!.once('exit', resolve))
      daemon.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))])
      if (daemon.exitCode === null) daemon.kill('SIGKILL')
    }
    fs.rmSync(root, {recursive: true, force: true})
    try {
      execFileSync('ip', ['link', 'delete', BRIDGE], {stdio: 'ignore'})
    } catch {
      // not created
    }
  })

  it('runs a whole session through DOCKER_HOST: copy in, exec, changes, apply, remove', async () => {
    const docker = connectDocker({...process.env, DOCKER_HOST})
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'))
    const engine = new DockerSandboxEngine({docker, stateDir})
    const dir = makeProject({'a.txt': 'remote\n', 'bin.dat': Buffer.from([0, 1, 2, 3])})
    const session = await engine.open(dir, settings())
    try {
      // the container lives on the remote daemon only
      expect((await docker.getContainer(session.containerId).inspect()).Config.Image).toBe(testImage())
      await expect(connectDocker({}).getContainer(session.containerId).inspect()).rejects.toMatchObject({
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
