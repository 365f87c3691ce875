// Benchmark 8: `agent batch` of short scripted tasks at --parallel 1, 4 and 8, on the local engine and across a Swarm of
// three dockerd nodes: tasks per minute and the scaling against --parallel 1 of the same engine, with the load beside each.
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {startScriptedModel} from '../test/fixtures/scripted-model/server.js'
import type {ChatRequestBody, ScriptStep} from '../test/fixtures/scripted-model/script.js'
import {cliEnv} from '../test/e2e/helpers/run-cli.js'
import {canRunSwarm, startSwarmCluster} from '../test/helpers/swarm-cluster.js'
import {defaultImageName} from '../src/sandbox/image/definition.js'
import {staleBuildNote} from './lib/build-state.js'
import {onCleanup, progress, runBench} from './lib/harness.js'
import {run} from './lib/proc.js'
import {ratioText, REPO_ROOT, WORK_DIR, type Figure} from './lib/report.js'
import {formatMs} from './lib/stats.js'

const TASKS = Number(process.env.BENCH_BATCH_TASKS ?? 40)
const PARALLEL = (process.env.BENCH_BATCH_PARALLEL ?? '1,4,8').split(',').map(Number)
const ROOT = path.join(WORK_DIR, 'batch')
/** BENCH_BATCH_ENGINES=docker skips the Swarm (it needs root, dockerd and docker-registry, as its test does). */
const ENGINES = (process.env.BENCH_BATCH_ENGINES ?? 'docker,swarm').split(',')

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
  engine: 'docker' | 'swarm'
  parallel: number
  ms: number
  perMinute: number
  succeeded: number
  /** Tasks per node (Swarm). */
  nodes: Record<string, number>
  loadBefore: number
  loadAfter: number
  error?: string
}

const load = (): number => os.loadavg()[0] ?? Number.NaN

/** One `agent batch` of every task at each --parallel, on one engine (extra args and env say which). */
async function runEngine(
  engine: BatchRun['engine'],
  tasksFile: string,
  env: NodeJS.ProcessEnv,
  extraArgs: string[],
): Promise<BatchRun[]> {
  const runs: BatchRun[] = []
  for (const parallel of PARALLEL) {
    const out = path.join(ROOT, `out-${engine}-${parallel}`)
    rmSync(out, {recursive: true, force: true})
    progress(`${engine}: ${TASKS} tasks at --parallel ${parallel}`)
    const loadBefore = load()
    const result = await run(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'run.js'),
        'batch',
        tasksFile,
        '--out',
        out,
        '--parallel',
        String(parallel),
        ...extraArgs,
      ],
      {cwd: ROOT, env, timeoutMs: 30 * 60_000},
    )
    const file = path.join(out, 'results.jsonl')
    const lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as {status: string; node?: string})
      : []
    const nodes: Record<string, number> = {}
    for (const line of lines) if (line.node) nodes[line.node] = (nodes[line.node] ?? 0) + 1
    const succeeded = lines.filter((line) => line.status === 'success').length
    runs.push({
      engine,
      parallel,
      ms: result.ms,
      perMinute: (succeeded * 60_000) / result.ms,
      succeeded,
      nodes,
      loadBefore,
      loadAfter: load(),
      ...(result.code === 0 ? {} : {error: `exit ${result.code}: ${result.stderr.trim().split('\n').pop() ?? ''}`}),
    })
    progress(`${engine} --parallel ${parallel}: ${succeeded}/${TASKS} in ${formatMs(result.ms)}`)
  }
  return runs
}

/** A Swarm of three dockerd nodes (test/helpers/swarm-cluster.ts), the image pushed to its registry and pulled. */
async function swarmRuns(tasksFile: string, env: NodeJS.ProcessEnv): Promise<BatchRun[]> {
  progress('starting a Swarm of three dockerd nodes')
  const cluster = await startSwarmCluster()
  onCleanup(() => cluster.dispose())
  const swarmEnv = {...env, DOCKER_HOST: cluster.manager, SANDBOX_AGENT_REGISTRY: cluster.registry}
  const pushed = await run(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'run.js'), 'sandbox', 'build', '--push', cluster.registry],
    {cwd: ROOT, env, timeoutMs: 15 * 60_000},
  )
  if (pushed.code !== 0) throw new Error(`push failed: ${pushed.stderr.trim()}`)
  // Each node has the image before the clock starts, so the figures are the sessions' own, not a first pull.
  const reference = `${new URL(cluster.registry).host}/${defaultImageName()}`
  await Promise.all(
    cluster.nodes.map((node) => run('docker', ['-H', node.host, 'pull', '-q', reference], {timeoutMs: 15 * 60_000})),
  )
  return runEngine('swarm', tasksFile, swarmEnv, ['--engine', 'swarm'])
}

await runBench({name: 'batch', title: '8. agent batch, tasks per minute', order: 8}, async () => {
  const server = await startScriptedModel({steps: [(body) => answer(body)], loop: true})
  onCleanup(() => server.close())
  const tasksFile = writeTasks()
  const home = path.join(WORK_DIR, 'agent-home')
  mkdirSync(home, {recursive: true})
  const env = cliEnv(home, server.url) as NodeJS.ProcessEnv
  const runs: BatchRun[] = []
  const notes: string[] = [
    `Each task: a fresh sandbox with a one-file project copied in, one shell command ` +
      '(`echo id > out.txt`), two model requests to the scripted model (test/fixtures/scripted-model, in-process, ' +
      'answering at once), the patch and result written, the sandbox removed. Wall time = the `agent batch` process ' +
      'from spawn to exit (start-up included). Ratio = tasks/min over --parallel 1 of the same engine in the same run.',
  ]
  if (ENGINES.includes('docker')) runs.push(...(await runEngine('docker', tasksFile, env, [])))
  if (ENGINES.includes('swarm')) {
    if (canRunSwarm()) {
      runs.push(...(await swarmRuns(tasksFile, env)))
      notes.push(
        'Swarm: three dockerd nodes in network namespaces of this machine (test/helpers/swarm-cluster.ts), so all ' +
          'three share its 2 cores: the figures show what the orchestration costs per session (a service, its ' +
          "overlay network, placement, attach through the node's engine), not what three real machines would add. " +
          'The image is pulled on every node before the clock starts.',
      )
    } else notes.push('Swarm: not measured (needs root, dockerd, docker-registry, htpasswd and iproute2).')
  }
  const figures: Figure[] = runs.map((r) => {
    const base = runs.find((b) => b.engine === r.engine && b.parallel === 1) ?? r
    return {
      figure: `agent batch --engine ${r.engine}, ${TASKS} scripted tasks, --parallel ${r.parallel} (tasks/min)`,
      ours: `${r.perMinute.toFixed(1)}/min (${formatMs(r.ms)}, ${r.succeeded}/${TASKS} succeeded)`,
      baseline: `${base.perMinute.toFixed(1)}/min at --parallel ${base.parallel}`,
      ratio: ratioText(r.perMinute, base.perMinute),
      target: 'report the curve',
      met: null,
    }
  })
  notes.push(
    ...runs.map(
      (r) =>
        `${r.engine} --parallel ${r.parallel}: load ${r.loadBefore.toFixed(1)} before, ${r.loadAfter.toFixed(1)} after` +
        (Object.keys(r.nodes).length > 0
          ? `; tasks per node ${Object.entries(r.nodes)
              .sort()
              .map(([node, n]) => `${node} ${n}`)
              .join(', ')}`
          : '') +
        (r.error ? `; ${r.error}` : ''),
    ),
  )
  const stale = staleBuildNote()
  if (stale) notes.push(stale)
  return {figures, notes, raw: {runs}}
})
