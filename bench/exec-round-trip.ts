// Benchmark 3: round trip of `true` through the session API vs `docker exec <ctr> true` from the CLI (200 each).
import {attachBash} from './lib/attached-bash.js'
import {benchImage} from './lib/docker-cli.js'
import {execOk} from './lib/engine.js'
import {onCleanup, progress, runBench} from './lib/harness.js'
import {runOk} from './lib/proc.js'
import {startSideBySide} from './lib/side-by-side.js'
import {ratioText, unmeasured, type Figure} from './lib/report.js'
import {formatMs, median, now, percentile} from './lib/stats.js'

const RUNS = Number(process.env.BENCH_EXEC_RUNS ?? 200)
const WARMUP = 10

await runBench({name: 'exec-round-trip', title: '3. Exec round trip', order: 3}, async () => {
  const image = await benchImage()
  const {id, session, lookup} = await startSideBySide(image)

  const bash = attachBash(id)
  onCleanup(async () => bash.close())
  const floor: number[] = []
  const ours: number[] = []
  const base: number[] = []
  const viaSession = async () => {
    if (!session) return
    const start = now()
    await execOk(session, 'true')
    ours.push(now() - start)
  }
  const viaCli = async () => {
    base.push((await runOk('docker', ['exec', id, 'true'])).ms)
  }
  for (let i = 0; i < WARMUP; i++) {
    await viaSession()
    await viaCli()
  }
  for (let i = 0; i < WARMUP; i++) await bash.roundTrip('true')
  ours.length = 0
  base.length = 0
  for (let i = 0; i < RUNS; i++) {
    if (i % 50 === 0) progress(`run ${i}/${RUNS}`)
    if (i % 2 === 0) {
      await viaSession()
      await viaCli()
    } else {
      await viaCli()
      await viaSession()
    }
    floor.push(await bash.roundTrip('true'))
  }
  const b50 = median(base)
  const b95 = percentile(base, 95)
  const figures: Figure[] = []
  // Issue 18's bars: the median within 1/20 of `docker exec`, the p95 within 1/10.
  const target = '<= 1/10 of docker exec'
  const medianTarget = '<= 1/20 of docker exec'
  if (session) {
    const o50 = median(ours)
    const o95 = percentile(ours, 95)
    figures.push(
      {
        figure: `exec round trip \`true\`, median of ${RUNS}`,
        ours: formatMs(o50),
        baseline: `${formatMs(b50)} \`docker exec\``,
        ratio: ratioText(o50, b50, 3),
        target: medianTarget,
        met: o50 <= b50 / 20,
      },
      {
        figure: `exec round trip \`true\`, p95 of ${RUNS}`,
        ours: formatMs(o95),
        baseline: `${formatMs(b95)} \`docker exec\``,
        ratio: ratioText(o95, b95, 3),
        target,
        met: o95 <= b95 / 10,
      },
    )
  } else {
    const why = 'missing' in lookup ? lookup.missing : ''
    figures.push(
      unmeasured(`exec round trip \`true\`, median`, medianTarget, why, `${formatMs(b50)} \`docker exec\``),
      unmeasured(`exec round trip \`true\`, p95`, target, why, `${formatMs(b95)} \`docker exec\``),
    )
  }
  figures.push({
    figure: `reference: bash over one \`docker exec -i\` stream, median of ${RUNS}`,
    ours: `${formatMs(median(floor))} (p95 ${formatMs(percentile(floor, 95))})`,
    baseline: `${formatMs(b50)} \`docker exec\``,
    ratio: ratioText(median(floor), b50, 3),
    target: 'the floor, for context',
    met: null,
  })
  return {
    figures,
    raw: {ours, baseline: base, floor, image},
    notes: [
      `Image \`${image}\`. Ours: \`session.exec('true')\` until its result resolves, on a session over an empty ` +
        `workspace; baseline: \`docker exec <ctr> true\` spawned from Node until exit, on an idle container. ` +
        `${RUNS} runs each, interleaved, after ${WARMUP} warm-up runs each. The reference row is the floor of the ` +
        'long-lived-runner design: a bash started once with `docker exec -i`, fed `true; echo <marker>` and timed ' +
        'until the marker returns (no exit codes, no stream separation).',
    ],
  }
})
