// Experiment (not part of run-all): how fast the workspace can be packed, the engine's tar-fs packer against a synchronous-read prototype.
//
// node --import tsx bench/experiments/pack-speed.ts [--put]
// Prints, per generated repository: the engine's packWorkspace (synchronous reads + ignore + sha256; tar-fs before e69ef63), plain tar-fs, the prototype
// below (readdir/lstat/readFileSync + sha256 into tar-stream, yielding to the event loop), and GNU tar, each into a
// null sink; with --put also each packer through putArchive into a running container's volume, against `docker cp`.
import {spawn} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {once} from 'node:events'
import {Writable, type Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import Docker from 'dockerode'
import tarFs from 'tar-fs'
import tarStream from 'tar-stream'
import {packWorkspace} from '../../src/sandbox/workspace/pack-workspace.js'
import {benchImage, removeContainer} from '../lib/docker-cli.js'
import {run} from '../lib/proc.js'
import {ensureRepo, LARGE_REPO, SMALL_REPO} from '../lib/repo-gen.js'
import {formatMs, median, now} from '../lib/stats.js'

const REPS = 3
const LABELS = {'dev.sandbox-agent.managed': 'true', 'dev.sandbox-agent.bench': 'true'}

const sink = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback()
    },
  })

/** The prototype: one synchronous read per file, hashed on the way, tar-stream backpressure respected. */
export function syncPack(root: string): {stream: Readable; manifest: Promise<Map<string, string>>} {
  const pack = tarStream.pack()
  const manifest = new Map<string, string>()
  const done = (async () => {
    const stack = ['']
    let n = 0
    while (stack.length > 0) {
      const rel = stack.pop() as string
      for (const entry of fs.readdirSync(path.join(root, rel), {withFileTypes: true})) {
        const name = rel ? `${rel}/${entry.name}` : entry.name
        const stat = fs.lstatSync(path.join(root, name))
        const header = {
          name,
          mode: stat.mode & 0o7777,
          mtime: stat.mtime,
          uid: 1000,
          gid: 1000,
          uname: 'agent',
          gname: 'agent',
        }
        if (entry.isDirectory()) {
          pack.entry({...header, type: 'directory'})
          stack.push(name)
        } else if (entry.isSymbolicLink()) {
          pack.entry({...header, type: 'symlink', linkname: fs.readlinkSync(path.join(root, name))})
        } else if (entry.isFile()) {
          const data = fs.readFileSync(path.join(root, name))
          manifest.set(name, crypto.createHash('sha256').update(data).digest('hex'))
          const more = pack.entry({...header, size: data.length}, data)
          if (!more) await once(pack, 'drain')
          else if (++n % 64 === 0) await new Promise((resolve) => setImmediate(resolve))
        }
      }
    }
    pack.finalize()
    return manifest
  })()
  return {stream: pack as unknown as Readable, manifest: done}
}

const packers: Record<string, (root: string) => Readable> = {
  'engine packWorkspace': (root) => packWorkspace(root, () => false).stream,
  'plain tar-fs': (root) => tarFs.pack(root) as unknown as Readable,
  'sync prototype': (root) => syncPack(root).stream,
  'GNU tar': (root) => spawn('tar', ['-C', root, '--owner=1000', '--group=1000', '-c', '.']).stdout,
}

const put = process.argv.includes('--put')
const docker = new Docker()
const image = await benchImage()

for (const spec of [SMALL_REPO, LARGE_REPO]) {
  const root = ensureRepo(spec)
  const times: Record<string, number[]> = {}
  for (let i = 0; i < REPS; i++) {
    for (const [name, make] of Object.entries(packers)) {
      const start = now()
      await pipeline(make(root), sink())
      ;(times[`pack: ${name}`] ??= []).push(now() - start)
      if (!put || name === 'plain tar-fs' || name === 'GNU tar') continue
      const volume = `bench-pack-${process.pid}-${i}`
      await docker.createVolume({Name: volume, Labels: LABELS})
      const container = await docker.createContainer({
        Image: image,
        Entrypoint: [],
        Cmd: ['sleep', 'infinity'],
        Labels: LABELS,
        HostConfig: {NetworkMode: 'none', Mounts: [{Type: 'volume', Source: volume, Target: '/workspace'}]},
      })
      try {
        await container.start()
        const t = now()
        await container.putArchive(make(root), {path: '/workspace'})
        ;(times[`putArchive: ${name}`] ??= []).push(now() - t)
      } finally {
        await removeContainer(container.id)
        await docker.getVolume(volume).remove()
      }
    }
    if (put) {
      const container = await docker.createContainer({
        Image: image,
        Entrypoint: [],
        Cmd: ['sleep', 'infinity'],
        Labels: LABELS,
      })
      try {
        const result = await run('docker', ['cp', `${root}/.`, `${container.id}:/workspace`])
        ;(times['docker cp (CLI)'] ??= []).push(result.ms)
      } finally {
        await removeContainer(container.id)
      }
    }
  }
  process.stdout.write(`\n${spec.name} (median of ${REPS}):\n`)
  for (const [name, values] of Object.entries(times)) {
    process.stdout.write(
      `  ${name.padEnd(36)} ${formatMs(median(values)).padStart(10)}   [${values.map((v) => formatMs(v)).join(', ')}]\n`,
    )
  }
}
