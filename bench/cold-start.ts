// Benchmark 1: CLI cold start, `agent --version` and `agent --help` against bare `node -e 0` (median of 20, interleaved).
// BENCH_BEFORE_CLI=<another build's bin/run.js> adds the same cases for that build, interleaved in the same run.
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {staleBuildNote} from './lib/build-state.js'
import {runBench, progress} from './lib/harness.js'
import {run} from './lib/proc.js'
import {ratioText, REPO_ROOT, type Figure} from './lib/report.js'
import {formatMs, median, percentile} from './lib/stats.js'

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 20)
const BIN = path.join(REPO_ROOT, 'bin', 'run.js')

const BEFORE_BIN = process.env.BENCH_BEFORE_CLI
// The kept copy of the root help lives here for the whole run (primed by the warm-up), not in the user's cache.
const CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), 'sa-bench-cache-'))

interface Case {
  label: string
  args: string[]
  target: number
  /** A fresh cache directory for every run: the first `--help` after an install or upgrade. */
  uncached?: boolean
}

const cases: Case[] = [
  {label: '--version', args: [BIN, '--version'], target: 2},
  {label: '--help', args: [BIN, '--help'], target: 2},
  {label: '--help, first after an install (no kept copy)', args: [BIN, '--help'], target: 3, uncached: true},
  ...(BEFORE_BIN
    ? [
        {label: '--version, before (BENCH_BEFORE_CLI)', args: [BEFORE_BIN, '--version'], target: 2},
        {label: '--help, before (BENCH_BEFORE_CLI)', args: [BEFORE_BIN, '--help'], target: 2},
      ]
    : []),
]

async function timeNode(args: string[], uncached = false): Promise<number> {
  const cacheHome = uncached ? mkdtempSync(path.join(os.tmpdir(), 'sa-bench-cache-')) : CACHE_HOME
  try {
    const env = {...process.env, XDG_CACHE_HOME: cacheHome}
    const result = await run(process.execPath, args, {cwd: REPO_ROOT, env})
    if (result.code !== 0) throw new Error(`node ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`)
    return result.ms
  } finally {
    if (uncached) rmSync(cacheHome, {recursive: true, force: true})
  }
}

await runBench({name: 'cold-start', title: '1. CLI cold start', order: 1}, async () => {
  // One warm-up of each so the first sample does not pay for a cold disk cache.
  for (const c of cases) await timeNode(c.args, c.uncached)
  await timeNode(['-e', '0'])
  const figures: Figure[] = []
  const raw: Record<string, unknown> = {}
  for (const c of cases) {
    const ours: number[] = []
    const base: number[] = []
    for (let i = 0; i < RUNS; i++) {
      // Alternate which goes first so drift (thermal, page cache) hits both sides alike.
      if (i % 2 === 0) {
        ours.push(await timeNode(c.args, c.uncached))
        base.push(await timeNode(['-e', '0']))
      } else {
        base.push(await timeNode(['-e', '0']))
        ours.push(await timeNode(c.args, c.uncached))
      }
    }
    const o = median(ours)
    const b = median(base)
    progress(`${c.label}: ours ${formatMs(o)}, node -e 0 ${formatMs(b)}`)
    figures.push({
      figure: `cold start \`agent ${c.label}\` (median of ${RUNS})`,
      ours: `${formatMs(o)} (p95 ${formatMs(percentile(ours, 95))})`,
      baseline: `${formatMs(b)} \`node -e 0\``,
      ratio: ratioText(o, b),
      target: `<= ${c.target}x node`,
      met: o / b <= c.target,
    })
    raw[c.label] = {ours, baseline: base}
  }
  rmSync(CACHE_HOME, {recursive: true, force: true})
  const stale = staleBuildNote()
  return {
    figures,
    raw,
    notes: [
      ...(stale ? [stale] : []),
      `Wall time from spawn to exit of \`node bin/run.js <flag>\` (the built CLI in dist/) and of \`node -e 0\`, ` +
        `${RUNS} runs each, alternating which goes first; one warm-up each not counted. \`--help\` is printed from ` +
        'the kept copy of oclif\'s rendering (primed by the warm-up, as by any earlier `--help`); the "first after an ' +
        'install" row gives every run an empty cache directory, so oclif renders it (and keeps the copy).',
    ],
  }
})
