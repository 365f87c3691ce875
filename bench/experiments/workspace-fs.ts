// Where a fresh session's copy-in goes: the same tar of a generated repository extracted inside one running sandbox
// container into a named volume (what sessions use now) and into a size-capped tmpfs (the pool/tmpfs direction of
// issue 18), interleaved; plus `docker create` + `docker start` + first exec, the part a warm pool would take away.
// Run: node --import tsx bench/experiments/workspace-fs.ts [reps]   (prints; writes nothing)
import {execFileSync} from 'node:child_process'
import os from 'node:os'
import {benchImage, createIdle, removeContainer} from '../lib/docker-cli.js'
import {runOk} from '../lib/proc.js'
import {ensureRepo, SMALL_REPO} from '../lib/repo-gen.js'
import {formatMs, median, now} from '../lib/stats.js'

const REPS = Number(process.argv[2] ?? 7)
const image = await benchImage()
const dir = ensureRepo(SMALL_REPO)
const tarball = execFileSync('tar', ['-C', dir, '-cf', '-', '.'], {maxBuffer: 256 * 1024 * 1024})
const volume = `sa-bench-wsfs-${process.pid}`
const load = () => os.loadavg()[0]!.toFixed(1)
console.log(`load ${load()}; tar of ${SMALL_REPO.files} files, ${(tarball.length / 1e6).toFixed(1)} MB; image ${image}`)

const id = await createIdle(image, [
  '--mount',
  `type=volume,source=${volume},target=/vol`,
  '--tmpfs',
  '/tmpfs:rw,nosuid,nodev,size=64m',
  '--user',
  '0:0',
])
const times: Record<string, number[]> = {volume: [], tmpfs: [], 'empty tar (exec cost)': [], 'create+start+exec': []}
try {
  await runOk('docker', ['start', id])
  const empty = execFileSync('tar', ['-cf', '-', '--files-from', '/dev/null'])
  const extract = async (target: string, input = tarball) => {
    await runOk('docker', ['exec', id, 'sh', '-c', `rm -rf ${target}/w && mkdir ${target}/w`])
    const start = now()
    execFileSync('docker', ['exec', '-i', id, 'tar', '-x', '-C', `${target}/w`], {input})
    return now() - start
  }
  for (let i = 0; i < REPS; i++) {
    const order = i % 2 === 0 ? ['/vol', '/tmpfs'] : ['/tmpfs', '/vol']
    for (const target of order) times[target === '/vol' ? 'volume' : 'tmpfs']!.push(await extract(target))
    times['empty tar (exec cost)']!.push(await extract('/tmpfs', empty))
    const start = now()
    const other = await createIdle(image)
    await runOk('docker', ['start', other])
    await runOk('docker', ['exec', other, 'true'])
    times['create+start+exec']!.push(now() - start)
    await removeContainer(other)
  }
} finally {
  await removeContainer(id)
  await runOk('docker', ['volume', 'rm', '-f', volume])
}
for (const [name, values] of Object.entries(times))
  console.log(`${name}: median ${formatMs(median(values))} (${values.map((v) => formatMs(v)).join(', ')})`)
console.log(`load ${load()}`)
