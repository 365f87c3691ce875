// Benchmark 5: 10 changed files out of the 20,000-file repository: diff-and-apply vs `docker cp` of the whole workspace.
import {rmSync} from 'node:fs'
import path from 'node:path'
import {benchImage, createIdle, removeContainer} from './lib/docker-cli.js'
import {execOk, loadEngine} from './lib/engine.js'
import {onCleanup, progress, runBench} from './lib/harness.js'
import {runOk} from './lib/proc.js'
import {ensureRepo, filePath, LARGE_REPO, restoreFile} from './lib/repo-gen.js'
import {ratioText, unmeasured, WORK_DIR, type Figure} from './lib/report.js'
import {formatMs, median, now} from './lib/stats.js'

const REPS = Number(process.env.BENCH_CHANGES_REPS ?? 5)
const CHANGED = Array.from({length: 10}, (_, i) => i * 1999 + 7)

/** Appends a line to each of the 10 files inside the container (shell script, one exec). */
function changeScript(rep: number): string {
  return CHANGED.map((i) => `echo '// changed in rep ${rep}' >> '${filePath(i)}'`).join(' && ')
}

await runBench({name: 'changes-out', title: '5. Changes out', order: 5}, async () => {
  const image = await benchImage()
  const dir = ensureRepo(LARGE_REPO)
  const restore = async () => {
    for (const i of CHANGED) restoreFile(LARGE_REPO, i)
  }
  onCleanup(restore)
  const lookup = await loadEngine()
  const outDir = path.join(WORK_DIR, 'cp-out')
  onCleanup(async () => rmSync(outDir, {recursive: true, force: true}))

  // Baseline: the same repository in a container by hand, the same 10 changes, then everything copied back.
  progress('preparing the by-hand container')
  const id = await createIdle(image)
  onCleanup(() => removeContainer(id))
  await runOk('docker', ['cp', `${dir}/.`, `${id}:/workspace`])
  await runOk('docker', ['start', id])
  await runOk('docker', ['exec', '-u', '0', '-w', '/workspace', id, 'sh', '-c', changeScript(0)])

  const session = 'engine' in lookup ? await lookup.engine.open(dir, {image}) : undefined
  if (session) onCleanup(() => session.close())

  const ours: number[] = []
  const base: number[] = []
  const counts: string[] = []
  const cpAll = async () => {
    rmSync(outDir, {recursive: true, force: true})
    base.push((await runOk('docker', ['cp', `${id}:/workspace`, outDir])).ms)
  }
  const diffAndApply = async () => {
    if (!session) return
    // Fresh edits each time (untimed): an apply makes what it applied the new base of the next diff.
    await execOk(session, changeScript(ours.length + 1))
    const start = now()
    const changes = await session.changes()
    const report = await session.apply(changes)
    ours.push(now() - start)
    counts.push(`${changes.changes.length}/${report.applied.length}`)
  }
  for (let i = 0; i < REPS; i++) {
    progress(`rep ${i + 1}/${REPS}`)
    if (i % 2 === 0) {
      await diffAndApply()
      await cpAll()
    } else {
      await cpAll()
      await diffAndApply()
    }
  }
  const b = median(base)
  const figures: Figure[] = []
  const notes = [
    `Image \`${image}\`, repository ${LARGE_REPO.files} files / ${LARGE_REPO.bytes / 1e6} MB; 10 files get one line ` +
      'appended inside the container. Ours: `session.changes()` + `session.apply(changes)` onto the host ' +
      'repository (fresh edits before each run; the host files are restored at the end, untimed). Baseline: `docker cp <ctr>:/workspace <dir>` of everything. ' +
      `Median of ${REPS}, interleaved.`,
  ]
  if (session) {
    const o = median(ours)
    if (counts.some((c) => c !== `${CHANGED.length}/${CHANGED.length}`)) {
      notes.push(`Warning: changes listed / applied per run: ${counts.join(', ')}; expected 10/10 each.`)
    }
    figures.push({
      figure: 'changes out, 10 of 20,000 files',
      ours: `${formatMs(o)} diff + apply`,
      baseline: `${formatMs(b)} docker cp of all`,
      ratio: ratioText(o, b, 3),
      target: '>= 10x faster (ratio <= 0.1)',
      met: o * 10 <= b,
    })
  } else {
    figures.push(
      unmeasured(
        'changes out, 10 of 20,000 files',
        '>= 10x faster (ratio <= 0.1)',
        'missing' in lookup ? lookup.missing : '',
        `${formatMs(b)} docker cp of all`,
      ),
    )
  }
  return {figures, notes, raw: {ours, baseline: base, image}}
})
