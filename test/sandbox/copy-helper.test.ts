// The --mount copy helper against a real daemon: every copy lands whole, and a copy that leaves a listed entry behind
// fails instead of passing as an empty or partial workspace (which the change list would read as deleted files).
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import Docker from 'dockerode'
import {afterAll, describe, expect, it} from 'vitest'

import {copyThroughHelper} from '../../src/sandbox/workspace/copy-helper.js'
import {makeProject} from './helpers/fixtures.js'
import {testImage} from './helpers/test-image.js'

const docker = new Docker()
const volumes: string[] = []

async function freshVolume(): Promise<string> {
  const name = `sandbox-agent-copy-test-${process.pid}-${volumes.length}`
  await docker.createVolume({Name: name})
  volumes.push(name)
  return name
}

/** What the volume holds, listed by a throw-away container (names and sizes). */
async function listVolume(volume: string): Promise<string> {
  const container = await docker.createContainer({
    Image: testImage(),
    Entrypoint: [],
    Cmd: ['/bin/bash', '-c', 'cd /w && find . -type f -printf "%P %s\\n" | sort'],
    HostConfig: {Mounts: [{Type: 'volume', Source: volume, Target: '/w', ReadOnly: true}]},
  })
  try {
    const exited = container.wait({condition: 'next-exit'})
    await container.start()
    await exited
    const logs = await container.logs({stdout: true, stderr: true})
    // Strip the multiplexing headers: 8 bytes per frame.
    let text = ''
    for (let at = 0; at + 8 <= logs.length; at += 8 + logs.readUInt32BE(at + 4))
      text += logs.subarray(at + 8, at + 8 + logs.readUInt32BE(at + 4)).toString()
    return text
  } finally {
    await container.remove({force: true})
  }
}

afterAll(async () => {
  for (const name of volumes)
    await docker
      .getVolume(name)
      .remove({force: true})
      .catch(() => undefined)
})

describe('the --mount copy helper', () => {
  it('lands every file on every copy, copy after copy (the helper is never taken away mid-copy)', async () => {
    const files: Record<string, string | Buffer> = {'big.bin': Buffer.alloc(8 * 1024 * 1024, 7)}
    for (let i = 0; i < 40; i++) files[`src/f${i}.txt`] = `${i}\n`
    const project = makeProject(files)
    fs.chmodSync(project, 0o755)
    const paths = ['big.bin', 'src', ...Array.from({length: 40}, (_, i) => `src/f${i}.txt`)]
    const expected = ['big.bin 8388608', ...Array.from({length: 40}, (_, i) => `src/f${i}.txt ${String(i).length + 1}`)]
      .sort()
      .join('\n')
    const seen: string[] = []
    for (let round = 0; round < 8; round++) {
      const volume = await freshVolume()
      await copyThroughHelper({docker, image: testImage(), source: project, volume, paths})
      seen.push((await listVolume(volume)).trim())
    }
    expect(seen).toEqual(Array.from({length: 8}, () => expected))
  })

  it('fails when tar skips a listed entry without an error (a socket), instead of passing a partial copy', async () => {
    const project = makeProject({'a.txt': 'a\n'})
    fs.chmodSync(project, 0o755)
    const server = net.createServer().listen(path.join(project, 'sock'))
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const volume = await freshVolume()
      await expect(
        copyThroughHelper({docker, image: testImage(), source: project, volume, paths: ['a.txt', 'sock']}),
      ).rejects.toThrow(/not every listed entry was copied \(copied 1 of 2\)/)
    } finally {
      server.close()
    }
  })
})
