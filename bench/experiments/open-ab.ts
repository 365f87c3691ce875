// A/B of a fresh open in one run: the engine from src/ against another copy of the sources (say main's, unpacked with
// `git archive main src | tar -x -C bench/.work/before`), alternating, on the 1,000-file repository; open + first exec.
// Run: node --import tsx bench/experiments/open-ab.ts <dir holding the other src/> [reps]   (prints; writes nothing)
import os from 'node:os'
import path from 'node:path'
import {benchImage} from '../lib/docker-cli.js'
import {ensureRepo, SMALL_REPO} from '../lib/repo-gen.js'
import {REPO_ROOT, WORK_DIR} from '../lib/report.js'
import {formatMs, median, now} from '../lib/stats.js'

const [otherRoot = '', repsArg = '9'] = process.argv.slice(2)
if (!otherRoot) throw new Error('usage: open-ab.ts <dir holding the other src/> [reps]')
const reps = Number(repsArg)

interface Engine {
  open(
    workspace: string,
    settings: unknown,
    options: {image: string},
  ): Promise<{
    exec(command: string): Promise<unknown>
    close(): Promise<unknown>
  }>
}

async function engineFrom(root: string): Promise<{engine: Engine; settings: unknown}> {
  const [{DockerSandboxEngine}, {sandboxSettingsSchema}] = (await Promise.all([
    import(path.join(root, 'src/sandbox/docker-engine.ts')),
    import(path.join(root, 'src/config/schema.ts')),
  ])) as [
    {DockerSandboxEngine: new (options: {stateDir: string}) => Engine},
    {sandboxSettingsSchema: {parse(v: unknown): unknown}},
  ]
  const engine = new DockerSandboxEngine({stateDir: path.join(WORK_DIR, 'engine-state')})
  return {engine, settings: sandboxSettingsSchema.parse({})}
}

const image = await benchImage()
const dir = ensureRepo(SMALL_REPO)
const sides = {before: await engineFrom(path.resolve(otherRoot)), after: await engineFrom(REPO_ROOT)}
const times: Record<string, number[]> = {before: [], after: []}
const once = async (name: 'before' | 'after') => {
  const {engine, settings} = sides[name]
  const start = now()
  const session = await engine.open(dir, settings, {image})
  try {
    await session.exec('true')
    return now() - start
  } finally {
    await session.close()
  }
}
console.log(`load ${os.loadavg()[0]!.toFixed(1)}`)
await once('before')
await once('after')
for (let i = 0; i < reps; i++) {
  const order: ('before' | 'after')[] = i % 2 === 0 ? ['before', 'after'] : ['after', 'before']
  for (const name of order) times[name]!.push(await once(name))
}
for (const [name, values] of Object.entries(times))
  console.log(`${name}: median ${formatMs(median(values))} (${values.map((v) => formatMs(v)).join(', ')})`)
console.log(
  `after / before: ${(median(times.after!) / median(times.before!)).toFixed(2)}x; load ${os.loadavg()[0]!.toFixed(1)}`,
)
