// Benchmark 1: CLI cold start, `agent --version` and `agent --help` against bare `node -e 0` (median of 20, interleaved).
import path from 'node:path'
import {staleBuildNote} from './lib/build-state.js'
import {runBench, progress} from './lib/harness.js'
import {run} from './lib/proc.js'
import {ratioText, REPO_ROOT, type Figure} from './lib/report.js'
import {formatMs, median, percentile} from './lib/stats.js'

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 20)
const BIN = path.join(REPO_ROOT, 'bin', 'run.js')

interface Case {
  label: string
  args: string[]
  target: number
}

const cases: Case[] = [
  {label: '--version', args: [BIN, '--version'], target: 2},
  {label: '--help', args: [BIN, '--help'], target: 3},
]

async function timeNode(args: string[]): Promise<number> {
  const result = await run(process.execPath, args, {cwd: REPO_ROOT})
  if (result.code !== 0) throw new Error(`node ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`)
  return result.ms
}

await runBench({name: 'cold-start', title: '1. CLI cold start', order: 1}, async () => {
  // One warm-up of each so the first sample does not pay for a cold disk cache.
  for (const c of cases) await timeNode(c.args)
  await timeNode(['-e', '0'])
  const figures: Figure[] = []
  const raw: Record<string, unknown> = {}
  for (const c of cases) {
    const ours: number[] = []
    const base: number[] = []
    for (let i = 0; i < RUNS; i++) {
      // Alternate which goes first so drift (thermal, page cache) hits both sides alike.
      if (i % 2 === 0) {
        ours.push(await timeNode(c.args))
        base.push(await timeNode(['-e', '0']))
      } else {
        base.push(await timeNode(['-e', '0']))
        ours.push(await timeNode(c.args))
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
  const stale = staleBuildNote()
  return {
    figures,
    raw,
    notes: [
      ...(stale ? [stale] : []),
      `Wall time from spawn to exit of \`node bin/run.js <flag>\` (the built CLI in dist/) and of \`node -e 0\`, ` +
        `${RUNS} runs each, alternating which goes first; one warm-up each not counted.`,
    ],
  }
})
