// Where a fresh session's start goes: opens the 1,000-file repository N times through the engine and prints each
// open's step log, plus a bare create + start + exec of the same hardened spec for comparison.
import {loadEngine} from '../lib/engine.js'
import {benchImage} from '../lib/docker-cli.js'
import {ensureRepo, SMALL_REPO} from '../lib/repo-gen.js'
import {now} from '../lib/stats.js'
import {loadavg} from 'node:os'

const n = Number(process.argv[2] ?? 5)
const image = await benchImage()
const lookup = await loadEngine()
if (!('engine' in lookup)) throw new Error(lookup.missing)
const {engine} = lookup
const dir = ensureRepo(SMALL_REPO)
console.log(`load ${loadavg()[0]!.toFixed(2)}`)
for (let i = 0; i < n; i++) {
  const start = now()
  const session = await engine.open(dir, {image})
  const opened = now()
  await session.exec('true').result
  const done = now()
  await session.close()
  console.log(
    `open ${(opened - start).toFixed(0)} ms, first exec ${(done - opened).toFixed(0)} ms`,
    JSON.stringify(engine.lastOpenTimings()),
  )
}
console.log(`load ${loadavg()[0]!.toFixed(2)}`)
