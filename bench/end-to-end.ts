// Benchmark 6: `agent run` end to end with the scripted model, split into model / start-up / tools / overhead, vs Qwen Code.
import {cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {startScriptedModel} from '../test/fixtures/scripted-model/server.js'
import type {ScriptStep} from '../test/fixtures/scripted-model/script.js'
import {staleBuildNote} from './lib/build-state.js'
import {onCleanup, progress, runBench} from './lib/harness.js'
import {ensureQwen, QWEN_BIN, qwenEnv, QWEN_VERSION} from './lib/qwen.js'
import {ratioText, REPO_ROOT, unmeasured, WORK_DIR, type Figure} from './lib/report.js'
import {formatMs, median} from './lib/stats.js'
import {resultMessage, runStreamJson, toolSpans, type StreamRun} from './lib/stream-run.js'
import {startTimingProxy, type ModelCall} from './lib/timing-proxy.js'

const REPS = Number(process.env.BENCH_E2E_REPS ?? 5)
const MODEL = 'scripted-model'
const RUN_TIMEOUT_MS = 120_000

function shellCall(n: number, command: string): ScriptStep {
  return {
    toolCalls: [
      {
        id: `call_${n}`,
        name: 'run_shell_command',
        arguments: {command, is_background: false, description: `step ${n}`},
      },
    ],
  }
}

const COMMANDS = [
  'ls -la',
  'cat README.md',
  'wc -l src/main.js',
  'echo hello > out.txt',
  'cat out.txt',
  'pwd',
  'grep -n add src/main.js',
  'node --version || true',
  'git --version || true',
  'rm out.txt',
]

interface Task {
  name: string
  prompt: string
  steps: ScriptStep[]
  /** Run ours with --reuse (a warm container left by the previous run of the same project). */
  reuse?: boolean
}

const TASKS: Task[] = [
  {
    name: '1 tool call',
    prompt: 'List the files in this project.',
    steps: [shellCall(1, 'ls -la'), {text: 'The project has a README and src/main.js.'}],
  },
  {
    name: '10 tool calls',
    prompt: 'Look around this project and report what you find.',
    steps: [...COMMANDS.map((command, i) => shellCall(i + 1, command)), {text: 'Done looking around.'}],
  },
  {
    name: '1 tool call, ours with --reuse',
    prompt: 'List the files in this project.',
    steps: [shellCall(1, 'ls -la'), {text: 'The project has a README and src/main.js.'}],
    reuse: true,
  },
]

/** A tiny project, fresh for every run so neither agent sees the other's leftovers. */
function freshWorkspace(which: string): string {
  const template = path.join(WORK_DIR, 'e2e', 'template')
  if (!existsSync(template)) {
    mkdirSync(path.join(template, 'src'), {recursive: true})
    writeFileSync(path.join(template, 'README.md'), '# tiny\n\nA project for the end-to-end benchmark.\n')
    writeFileSync(path.join(template, 'src', 'main.js'), 'export function add(a, b) {\n  return a + b\n}\n')
    writeFileSync(path.join(template, 'package.json'), '{"name": "tiny", "version": "1.0.0", "type": "module"}\n')
  }
  const dir = path.join(WORK_DIR, 'e2e', which)
  rmSync(dir, {recursive: true, force: true})
  cpSync(template, dir, {recursive: true})
  return dir
}

interface Split {
  wall: number
  model: number
  modelCalls: number
  /** Spawn -> first model request, less the sandbox start. */
  startup: number
  /** The engine's own account of opening the session (ours only; 0 for Qwen Code). */
  sandbox: number
  tools: number
  toolCalls: number
  overhead: number
  ok: boolean
  why?: string
}

const AGENT_LOG = path.join(WORK_DIR, 'agent-home', '.local', 'share', 'sandbox-agent', 'logs', 'agent.log')

/** Sum of the step timings our engine logged for the session this process opened ('session open', by pid). */
function sandboxStartMs(pid: number | undefined): number {
  if (pid === undefined || !existsSync(AGENT_LOG)) return Number.NaN
  for (const line of readFileSync(AGENT_LOG, 'utf8').split('\n').reverse()) {
    if (!line.includes(`"pid":${pid},`) || !line.includes('"session open"')) continue
    const entry = JSON.parse(line) as {timings?: Record<string, number>}
    return Object.values(entry.timings ?? {}).reduce((sum, ms) => sum + ms, 0)
  }
  return Number.NaN
}

function split(runResult: StreamRun, calls: ModelCall[], expectedTools: number, sandbox = 0): Split {
  const wall = runResult.exitAt - runResult.spawnAt
  const chat = calls.filter((c) => c.path.includes('chat/completions'))
  const model = chat.reduce((sum, c) => sum + (c.end - c.start), 0)
  const firstModel = chat.length > 0 ? Math.min(...chat.map((c) => c.start)) : runResult.exitAt
  // A reused session logs no step timings: its start then stays inside the CLI start-up figure.
  const sandboxKnown = Number.isFinite(sandbox) ? sandbox : 0
  const startup = firstModel - runResult.spawnAt - sandboxKnown
  const spans = toolSpans(runResult)
  const tools = spans.reduce((sum, s) => sum + (s.end - s.start), 0)
  const result = resultMessage(runResult)
  const ok = runResult.code === 0 && spans.length === expectedTools && result?.is_error !== true
  const why = ok
    ? undefined
    : `exit ${runResult.code}, ${spans.length}/${expectedTools} tool results, ` +
      `${String(result?.subtype ?? 'no result message')}; stderr: ${runResult.stderr.trim().split('\n').slice(-3).join(' / ')}`
  return {
    wall,
    model,
    modelCalls: chat.length,
    startup,
    sandbox,
    tools,
    toolCalls: spans.length,
    overhead: wall - model - startup - sandboxKnown - tools,
    ok,
    why,
  }
}

function medianSplit(splits: Split[]): Split {
  const m = (key: keyof Split) => median(splits.map((s) => s[key] as number))
  return {
    wall: m('wall'),
    model: m('model'),
    modelCalls: m('modelCalls'),
    startup: m('startup'),
    sandbox: m('sandbox'),
    tools: m('tools'),
    toolCalls: m('toolCalls'),
    overhead: m('overhead'),
    ok: splits.every((s) => s.ok),
  }
}

function describe(s: Split, withSandbox: boolean): string {
  return (
    `model ${formatMs(s.model)} (${s.modelCalls} calls), CLI start-up ${formatMs(s.startup)}, ` +
    (withSandbox
      ? Number.isFinite(s.sandbox)
        ? `sandbox start ${formatMs(s.sandbox)}, `
        : 'sandbox start not logged (reused; inside the start-up figure), '
      : '') +
    `tools ${formatMs(s.tools)} (${s.toolCalls}), overhead ${formatMs(s.overhead)}`
  )
}

/** Our CLI, built (dist/), if `agent run` exists yet. */
function oursMissing(): string | undefined {
  if (!existsSync(path.join(REPO_ROOT, 'src', 'commands', 'run.ts')))
    return '`agent run` (src/commands/run.ts) has not landed yet'
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'commands', 'run.js')))
    return 'dist/commands/run.js missing: run `npm run build` first'
  return undefined
}

function oursArgs(prompt: string, reuse = false): string[] {
  return [
    path.join(REPO_ROOT, 'bin', 'run.js'),
    'run',
    '--output-format',
    'stream-json',
    '--approval-mode',
    'yolo',
    '--model',
    MODEL,
    ...(reuse ? ['--reuse'] : []),
    prompt,
  ]
}

function oursEnv(baseUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: path.join(WORK_DIR, 'agent-home'),
    OPENAI_BASE_URL: baseUrl,
    OPENAI_API_KEY: 'dummy',
    OPENAI_MODEL: MODEL,
  }
}

await runBench({name: 'end-to-end', title: '6. End to end', order: 6}, async () => {
  const server = await startScriptedModel({steps: [], model: MODEL})
  onCleanup(() => server.close())
  const proxy = await startTimingProxy(server.url)
  onCleanup(() => proxy.close())
  mkdirSync(path.join(WORK_DIR, 'agent-home'), {recursive: true})
  const qwenMissing = await ensureQwen()
  const ourMissing = oursMissing()
  const figures: Figure[] = []
  const raw: Record<string, unknown> = {}
  const notes: string[] = [
    `Same scripted OpenAI-compatible server (test/fixtures/scripted-model, in-process) for both, behind a loopback ` +
      'proxy that times every model request (request in -> response fully streamed). Both run headless with ' +
      '`--output-format stream-json`; each stdout line is stamped as it arrives. Split: model = sum of model ' +
      'requests; sandbox start = the step timings our engine logs for the session (create, start, runner, ' +
      "self-test, copy; from the run's agent.log); CLI start-up = spawn -> first model request, less the sandbox " +
      'start; tools = ' +
      'tool_use line -> tool_result line per call; overhead = the rest (turn handling, output, shutdown, ' +
      `and for ours collecting changes and removing the container). Median of ${REPS} runs per task, interleaved; ` +
      'a fresh copy of a 3-file project for every run.',
    `Qwen Code ${QWEN_VERSION} (npm, installed into bench/.work/qwen), \`qwen -p <task> --yolo --output-format ` +
      'stream-json` on the host, no sandbox, with a private HOME (telemetry and update checks off). It declares ' +
      `node >= 22 but runs on this machine's Node ${process.version}, so no other Node was needed.`,
  ]
  const stale = staleBuildNote()
  if (stale) notes.push(stale)
  if (qwenMissing) notes.push(`Qwen Code not measured: ${qwenMissing}.`)
  if (ourMissing) notes.push(`Ours not measured: ${ourMissing}.`)

  for (const task of TASKS) {
    const expectedTools = task.steps.filter((s) => s.toolCalls).length
    const ours: Split[] = []
    const theirs: Split[] = []
    const runOne = async (who: 'ours' | 'qwen') => {
      if (who === 'ours' && ourMissing) return
      if (who === 'qwen' && qwenMissing) return
      server.setScript(task.steps)
      proxy.calls.length = 0
      const cwd = freshWorkspace(who)
      const result =
        who === 'ours'
          ? await runStreamJson(process.execPath, oursArgs(task.prompt, task.reuse), {
              cwd,
              env: oursEnv(proxy.url),
              timeoutMs: RUN_TIMEOUT_MS,
            })
          : await runStreamJson(
              process.execPath,
              [QWEN_BIN, '-p', task.prompt, '--yolo', '--output-format', 'stream-json'],
              {
                cwd,
                env: qwenEnv(proxy.url, MODEL),
                timeoutMs: RUN_TIMEOUT_MS,
              },
            )
      const s = split(result, [...proxy.calls], expectedTools, who === 'ours' ? sandboxStartMs(result.pid) : 0)
      if (!s.ok) progress(`${who} ${task.name}: run did not complete as scripted: ${s.why}`)
      ;(who === 'ours' ? ours : theirs).push(s)
    }
    // Warm-up (disk cache, Qwen's first-run setup) not counted.
    progress(`${task.name}: warm-up`)
    await runOne('qwen')
    await runOne('ours')
    ours.length = 0
    theirs.length = 0
    for (let i = 0; i < REPS; i++) {
      progress(`${task.name}: rep ${i + 1}/${REPS}`)
      const order: ('ours' | 'qwen')[] = i % 2 === 0 ? ['ours', 'qwen'] : ['qwen', 'ours']
      for (const who of order) await runOne(who)
    }
    raw[task.name] = {ours, qwen: theirs}
    const q = theirs.length > 0 ? medianSplit(theirs) : undefined
    const o = ours.length > 0 ? medianSplit(ours) : undefined
    const baseline = q ? `${formatMs(q.wall)} Qwen Code${q.ok ? '' : ' (runs incomplete, see notes)'}` : 'not measured'
    if (o) {
      figures.push({
        figure: `end to end, ${task.name} (median of ${REPS})`,
        ours: `${formatMs(o.wall)}${o.ok ? '' : ' (runs incomplete, see notes)'}`,
        baseline,
        ratio: q ? ratioText(o.wall, q.wall) : 'n/a',
        target: '<= 0.5x Qwen Code',
        met: q && o.ok && q.ok ? o.wall <= q.wall / 2 : null,
      })
    } else {
      figures.push(unmeasured(`end to end, ${task.name}`, '<= 0.5x Qwen Code', ourMissing ?? 'no run', baseline))
    }
    if (o) notes.push(`Ours, ${task.name}: ${describe(o, true)}.`)
    if (q) notes.push(`Qwen Code, ${task.name}: ${describe(q, false)}.`)
    for (const s of [...ours, ...theirs]) if (!s.ok && s.why) notes.push(`Incomplete run (${task.name}): ${s.why}`)
  }
  return {figures, notes, raw}
})
