// A/B of `agent run` with one tool call, as bench/end-to-end.ts runs ours (scripted model behind the timing proxy,
// stream-json, a fresh 3-file project), for two built CLIs alternating: this worktree's and another (say main's).
// Prints per CLI the medians of wall time, spawn -> first model request, and tool_use -> tool_result.
// Run: node --import tsx bench/experiments/run-ab.ts <other repo root with dist/> [reps]   (prints; writes nothing)
// BENCH_RUN_PROF=<dir> adds --cpu-prof (profiles of this worktree's CLI only, written to <dir>).
import {cpSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {startScriptedModel} from '../../test/fixtures/scripted-model/server.js'
import {REPO_ROOT, WORK_DIR} from '../lib/report.js'
import {formatMs, median} from '../lib/stats.js'
import {resultMessage, runStreamJson, toolSpans} from '../lib/stream-run.js'
import {startTimingProxy} from '../lib/timing-proxy.js'

const [otherRoot = '', repsArg = '7'] = process.argv.slice(2)
if (!otherRoot) throw new Error('usage: run-ab.ts <other repo root with dist/> [reps]')
const reps = Number(repsArg)
const MODEL = 'scripted-model'
const steps = [
  {
    toolCalls: [
      {id: 'call_1', name: 'run_shell_command', arguments: {command: 'ls -la', is_background: false, description: 'x'}},
    ],
  },
  {text: 'The project has a README and src/main.js.'},
]

const template = path.join(WORK_DIR, 'run-ab', 'template')
mkdirSync(path.join(template, 'src'), {recursive: true})
writeFileSync(path.join(template, 'README.md'), '# tiny\n')
writeFileSync(path.join(template, 'src', 'main.js'), 'export const add = (a, b) => a + b\n')
const home = path.join(WORK_DIR, 'run-ab', 'home')
mkdirSync(home, {recursive: true})

const server = await startScriptedModel({steps: [], model: MODEL})
const proxy = await startTimingProxy(server.url)
const sides = {this: REPO_ROOT, other: path.resolve(otherRoot)}
const figures: Record<string, {wall: number[]; firstModel: number[]; tool: number[]}> = {}
const prof = process.env.BENCH_RUN_PROF
console.log(`load ${os.loadavg()[0]!.toFixed(1)} at the start`)
for (let i = 0; i < reps + 1; i++) {
  for (const [name, root] of i % 2 === 0 ? Object.entries(sides) : Object.entries(sides).reverse()) {
    server.setScript(steps)
    proxy.calls.length = 0
    const cwd = path.join(WORK_DIR, 'run-ab', name)
    rmSync(cwd, {recursive: true, force: true})
    cpSync(template, cwd, {recursive: true})
    const args = [
      ...(prof && name === 'this' ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
      path.join(root, 'bin', 'run.js'),
      ...['run', '--output-format', 'stream-json', '--approval-mode', 'yolo', '--model', MODEL, 'List the files.'],
    ]
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      OPENAI_BASE_URL: proxy.url,
      OPENAI_API_KEY: 'dummy',
      OPENAI_MODEL: MODEL,
      SANDBOX_AGENT_IMAGE: process.env.SANDBOX_AGENT_IMAGE,
    }
    const run = await runStreamJson(process.execPath, args, {cwd, env, timeoutMs: 120_000})
    const chat = proxy.calls.filter((c) => c.path.includes('chat/completions'))
    const ok = run.code === 0 && resultMessage(run)?.is_error !== true && toolSpans(run).length === 1
    if (!ok)
      console.log(`${name}: run failed (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-2).join(' / ')}`)
    if (i === 0 || !ok) continue // warm-up
    const f = (figures[name] ??= {wall: [], firstModel: [], tool: []})
    f.wall.push(run.exitAt - run.spawnAt)
    f.firstModel.push(Math.min(...chat.map((c) => c.start)) - run.spawnAt)
    f.tool.push(toolSpans(run)[0]!.end - toolSpans(run)[0]!.start)
  }
}
for (const [name, f] of Object.entries(figures))
  console.log(
    `${name}: wall ${formatMs(median(f.wall))}, spawn -> first model request ${formatMs(median(f.firstModel))}, ` +
      `tool call ${formatMs(median(f.tool))} (n ${f.wall.length}; walls ${f.wall.map((w) => formatMs(w)).join(', ')})`,
  )
console.log(`load ${os.loadavg()[0]!.toFixed(1)} at the end`)
await proxy.close()
await server.close()
