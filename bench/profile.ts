// Profiling aid (run under `node --cpu-prof`): one scenario through the engine: open, exec, output or changes.
import {mkdirSync} from 'node:fs'
import path from 'node:path'
import {benchImage} from './lib/docker-cli.js'
import {execOk, loadEngine} from './lib/engine.js'
import {ensureRepo, filePath, LARGE_REPO, restoreFile, SMALL_REPO} from './lib/repo-gen.js'
import {WORK_DIR} from './lib/report.js'
import {formatMs, now} from './lib/stats.js'

const [scenario = 'open', arg] = process.argv.slice(2)
const lookup = await loadEngine()
if (!('engine' in lookup)) throw new Error(lookup.missing)
const {engine} = lookup
const image = await benchImage()
const empty = path.join(WORK_DIR, 'repos', 'empty')
mkdirSync(empty, {recursive: true})

if (scenario === 'open') {
  const spec = arg === 'small' ? SMALL_REPO : LARGE_REPO
  const dir = ensureRepo(spec)
  const start = now()
  const session = await engine.open(dir, {image})
  await execOk(session, 'true')
  const ready = now() - start
  await session.close()
  process.stdout.write(`${spec.name}: ready in ${formatMs(ready)}; steps ${JSON.stringify(engine.lastOpenTimings())}\n`)
} else if (scenario === 'exec') {
  const runs = Number(arg ?? 500)
  const session = await engine.open(empty, {image})
  const start = now()
  for (let i = 0; i < runs; i++) await execOk(session, 'true')
  process.stdout.write(`${runs} x exec true: ${formatMs((now() - start) / runs)} each\n`)
  await session.close()
} else if (scenario === 'output') {
  const mib = Number(arg ?? 500)
  const session = await engine.open(empty, {image})
  const start = now()
  let bytes = 0
  for await (const event of session.exec(`head -c ${mib}M /dev/zero`, {maxOutputBytes: 64 * 1024})) {
    if (event.type === 'stdout') bytes += event.chunk.length
  }
  const ms = now() - start
  process.stdout.write(`${bytes} bytes in ${formatMs(ms)}: ${(bytes / 1024 ** 2 / (ms / 1000)).toFixed(0)} MiB/s\n`)
  await session.close()
} else if (scenario === 'changes') {
  const dir = ensureRepo(LARGE_REPO)
  const session = await engine.open(dir, {image})
  const edit = Array.from({length: 10}, (_, i) => `echo '// profiled' >> '${filePath(i * 1999 + 7)}'`).join(' && ')
  await execOk(session, edit)
  let start = now()
  const changes = await session.changes()
  const listed = now() - start
  start = now()
  const report = await session.apply(changes)
  const applied = now() - start
  process.stdout.write(
    `changes() ${formatMs(listed)} (${changes.changes.length} entries), apply() ${formatMs(applied)} (${report.applied.length})\n`,
  )
  for (let i = 0; i < 10; i++) restoreFile(LARGE_REPO, i * 1999 + 7)
  await session.close()
} else {
  process.stderr.write('usage: profile.ts open [small|large] | exec [runs] | output [MiB] | changes\n')
  process.exit(2)
}
