// Benchmark 8: `agent batch` of short scripted tasks on the local engine at --parallel 1, 4 and 8: tasks per minute and
// the scaling against --parallel 1 measured in the same run, with the machine's load beside each.
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {startScriptedModel} from '../test/fixtures/scripted-model/server.js'
import type {ChatRequestBody, ScriptStep} from '../test/fixtures/scripted-model/script.js'
import {cliEnv} from '../test/e2e/helpers/run-cli.js'
import {staleBuildNote} from './lib/build-state.js'
import {onCleanup, progress, runBench} from './lib/harness.js'
import {run} from './lib/proc.js'
import {ratioText, REPO_ROOT, WORK_DIR, type Figure} from './lib/report.js'
import {formatMs} from './lib/stats.js'

const TASKS = Number(process.env.BENCH_BATCH_TASKS ?? 40)
const PARALLEL = (process.env.BENCH_BATCH_PARALLEL ?? '1,4,8').split(',').map(Number)
const ROOT = path.join(WORK_DIR, 'batch')

/** Each task: one shell command, then its final answer (two model requests, answered at once). */
function answer(body: ChatRequestBody): ScriptStep {
  const user = body.messages.find((message) => message.role === 'user')
  const id = /^TASK (\S+):/.exec(String(user?.content ?? ''))?.[1] ?? 'unknown'
  if (body.messages.some((message) => message.role === 'tool')) return {text: `done ${id}`}
  return {
    toolCalls: [
      {id: `call-${id}`, name: 'run_shell_command', arguments: {command: `echo ${id} > out.txt`, is_background: false}},
    ],
  }
}

/** TASKS small projects and the tasks file naming them. */
function writeTasks(): string {
  rmSync(ROOT, {recursive: true, force: true})
  const lines: string[] = []
  for (let i = 0; i < TASKS; i++) {
    const dir = path.join(ROOT, 'projects', `p${i}`)
    mkdirSync(dir, {recursive: true})
    writeFileSync(path.join(dir, 'README.md'), `project ${i}\n`)
    lines.push(JSON.stringify({id: `t${i}`, cwd: dir, prompt: `TASK t${i}: write out.txt`}))
  }
  const file = path.join(ROOT, 'tasks.jsonl')
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

interface BatchRun {
  parallel: number
  ms: number
  perMinute: number
  succeeded: number
  loadBefore: number
  loadAfter: number
  error?: string
}

await runBench({name: 'batch', title: '8. agent batch, tasks per minute', order: 8}, async () => {
  const server = await startScriptedModel({steps: [(body) => answer(body)], loop: true})
  onCleanup(() => server.close())
  const tasksFile = writeTasks()
  const home = path.join(WORK_DIR, 'agent-home')
  mkdirSync(home, {recursive: true})
  const env = cliEnv(home, server.url) as NodeJS.ProcessEnv
  const runs: BatchRun[] = []
  for (const parallel of PARALLEL) {
    const out = path.join(ROOT, `out-${parallel}`)
    rmSync(out, {recursive: true, force: true})
    progress(`${TASKS} tasks at --parallel ${parallel}`)
    const loadBefore = os.loadavg()[0] ?? Number.NaN
    const result = await run(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'run.js'), 'batch', tasksFile, '--out', out, '--parallel', String(parallel)],
      {cwd: ROOT, env, timeoutMs: 30 * 60_000},
    )
    const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').split('\n').filter(Boolean)
    const succeeded = lines.filter((line) => (JSON.parse(line) as {status: string}).status === 'success').length
    runs.push({
      parallel,
      ms: result.ms,
      perMinute: (succeeded * 60_000) / result.ms,
      succeeded,
      loadBefore,
      loadAfter: os.loadavg()[0] ?? Number.NaN,
      ...(result.code === 0 ? {} : {error: `exit ${result.code}: ${result.stderr.trim().split('\n').pop() ?? ''}`}),
    })
  }
  const base = runs.find((r) => r.parallel === 1) ?? runs[0]!
  const figures: Figure[] = runs.map((r) => ({
    figure: `agent batch, ${TASKS} scripted tasks, --parallel ${r.parallel} (tasks/min)`,
    ours: `${r.perMinute.toFixed(1)}/min (${formatMs(r.ms)}, ${r.succeeded}/${TASKS} succeeded)`,
    baseline: `${base.perMinute.toFixed(1)}/min at --parallel ${base.parallel}`,
    ratio: ratioText(r.perMinute, base.perMinute),
    target: 'report the curve',
    met: null,
  }))
  const notes = [
    `Each task: a fresh sandbox on the local engine with a one-file project copied in, one shell command ` +
      '(`echo id > out.txt`), two model requests to the scripted model (test/fixtures/scripted-model, in-process, ' +
      'answering at once), the patch and result written, the sandbox removed. Wall time = the `agent batch` process ' +
      'from spawn to exit (start-up included). Ratio = tasks/min over --parallel 1 in the same run.',
    ...runs.map(
      (r) =>
        `--parallel ${r.parallel}: load ${r.loadBefore.toFixed(1)} before, ${r.loadAfter.toFixed(1)} after` +
        (r.error ? `; ${r.error}` : ''),
    ),
  ]
  const stale = staleBuildNote()
  if (stale) notes.push(stale)
  return {figures, notes, raw: {runs}}
})
