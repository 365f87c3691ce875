// Runs every benchmark, one process each, one after another, and leaves the combined table in bench/results.md.
import {spawn} from 'node:child_process'
import path from 'node:path'
import {parseArgs} from 'node:util'
import {BENCH_DIR, renderResults} from './lib/report.js'
import {now} from './lib/stats.js'

const ALL = [
  'cold-start',
  'session-ready',
  'exec-round-trip',
  'throughput',
  'changes-out',
  'end-to-end',
  'many-files',
  'batch',
  'network',
]

const {values} = parseArgs({
  options: {
    only: {type: 'string'},
    /** Fewer repetitions everywhere: a smoke run that checks the benchmarks work, not a measurement. */
    quick: {type: 'boolean', default: false},
  },
})

const QUICK_ENV: Record<string, string> = {
  BENCH_COLD_RUNS: '4',
  BENCH_READY_REPS_SMALL: '1',
  BENCH_READY_REPS_LARGE: '1',
  BENCH_EXEC_RUNS: '20',
  BENCH_THROUGHPUT_REPS: '1',
  BENCH_THROUGHPUT_MIB: '100',
  BENCH_CHANGES_REPS: '1',
  BENCH_E2E_REPS: '1',
  BENCH_MANY_FILES: '20000',
  BENCH_BATCH_TASKS: '8',
  BENCH_NETWORK_NPM_REPS: '1',
  BENCH_NETWORK_OPEN_REPS: '1',
}

const selected = values.only ? values.only.split(',').map((s) => s.trim()) : ALL
const unknown = selected.filter((name) => !ALL.includes(name))
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${ALL.join(', ')}\n`)
  process.exit(2)
}

let current: ReturnType<typeof spawn> | undefined
// Ctrl-C reaches the whole process group, so the running benchmark gets it and cleans up its containers; we only
// wait for it. SIGTERM is sent to us alone, so it is passed on.
process.on('SIGINT', () => {})
process.on('SIGTERM', () => current?.kill('SIGTERM'))

const start = now()
const failed: string[] = []
for (const name of selected) {
  const code = await new Promise<number | null>((resolve) => {
    current = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, `${name}.ts`)], {
      stdio: 'inherit',
      env: values.quick ? {...process.env, ...QUICK_ENV} : process.env,
    })
    current.on('close', (exitCode) => resolve(exitCode))
  })
  current = undefined
  if (code !== 0) failed.push(name)
}
renderResults()
process.stdout.write(
  `\nAll benchmarks done in ${((now() - start) / 1000).toFixed(0)} s; table in bench/results.md` +
    (failed.length > 0 ? `; failed: ${failed.join(', ')}` : '') +
    '\n',
)
process.exitCode = failed.length > 0 ? 1 : 0
