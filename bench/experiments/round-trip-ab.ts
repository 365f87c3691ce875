// Experiment (not part of run-all): exec round trip of two runners side by side, against `docker exec`, same minutes.
//
// EXP_IMAGES=<before>,<after> node --import tsx bench/experiments/round-trip-ab.ts [runs]
// Opens one session per image (e.g. a throw-away tag of the old image and the rebuilt one) and an idle container for
// the baseline, then times `session.exec('true')` on each and `docker exec <ctr> true`, rotating which goes first.
// Prints median and p95 per side and as a ratio of the baseline's; the load before and after.
import {loadavg} from 'node:os'
import {mkdirSync} from 'node:fs'
import path from 'node:path'
import {benchImage, removeContainer, startIdle} from '../lib/docker-cli.js'
import {execOk, loadEngine} from '../lib/engine.js'
import {runOk} from '../lib/proc.js'
import {WORK_DIR} from '../lib/report.js'
import {formatMs, median, now, percentile} from '../lib/stats.js'
import type {SandboxSession} from '../../src/sandbox/types.js'

const RUNS = Number(process.argv[2] ?? 200)
const WARMUP = 10
const images = (process.env.EXP_IMAGES ?? (await benchImage())).split(',')
const lookup = await loadEngine()
if (!('engine' in lookup)) throw new Error(lookup.missing)
const workspace = path.join(WORK_DIR, 'repos', 'empty')
mkdirSync(workspace, {recursive: true})
const id = await startIdle(images[0]!)
const sessions: SandboxSession[] = []
try {
  for (const image of images) sessions.push(await lookup.engine.open(workspace, {image}))
  const load = loadavg()[0]!.toFixed(1)
  const times: number[][] = images.map(() => [])
  const base: number[] = []
  const sides = [
    ...sessions.map((session, i) => async (record: boolean) => {
      const start = now()
      await execOk(session, 'true')
      if (record) times[i]!.push(now() - start)
    }),
    async (record: boolean) => {
      const {ms} = await runOk('docker', ['exec', id, 'true'])
      if (record) base.push(ms)
    },
  ]
  for (let i = 0; i < WARMUP; i++) for (const side of sides) await side(false)
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < sides.length; k++) await sides[(i + k) % sides.length]!(true)
  }
  const b50 = median(base)
  const b95 = percentile(base, 95)
  console.log(`load ${load} -> ${loadavg()[0]!.toFixed(1)}; ${RUNS} runs each, rotated`)
  console.log(`docker exec: median ${formatMs(b50)}, p95 ${formatMs(b95)}`)
  images.forEach((image, i) => {
    const m = median(times[i]!)
    const p = percentile(times[i]!, 95)
    console.log(
      `${image}: median ${formatMs(m)} (${(m / b50).toFixed(3)}x), p95 ${formatMs(p)} (${(p / b95).toFixed(3)}x)`,
    )
  })
} finally {
  for (const session of sessions) await session.close().catch(() => undefined)
  await removeContainer(id)
}
