// Experiment (not part of run-all): output throughput of two runners side by side, against `docker exec`, same minutes.
//
// EXP_IMAGES=<before>,<after> [EXP_TOOLS=<src dir>,<src dir>] node --import tsx bench/experiments/throughput-ab.ts [MiB] [reps]
// One session per image and an idle container for the baseline; each rep runs, in rotated order, `session.exec` on
// each image, the shell tool (run_shell_command) on each image (and, with EXP_TOOLS, each copy of the shell tool's
// sources, e.g. an older tree's src/ unpacked with `git archive`, on the first image), and `docker exec ... >
// /dev/null`. Prints medians as a share of the baseline's, the peak RSS of this process per side (sampled every
// 20 ms), and the load.
import {loadavg} from 'node:os'
import {mkdirSync} from 'node:fs'
import path from 'node:path'
import {pino} from 'pino'
import {benchImage, removeContainer, startIdle} from '../lib/docker-cli.js'
import {loadEngine} from '../lib/engine.js'
import {progress} from '../lib/harness.js'
import {runOk} from '../lib/proc.js'
import {WORK_DIR} from '../lib/report.js'
import {formatBytes, formatMs, formatRate, median, now} from '../lib/stats.js'
import type {SandboxSession} from '../../src/sandbox/types.js'
import type {createRunShellCommandTool} from '../../src/tools/shell/index.js'

const MIB = 1024 * 1024
const SIZE_MIB = Number(process.argv[2] ?? 500)
const REPS = Number(process.argv[3] ?? 3)
const COMMAND = `yes | head -c ${SIZE_MIB}M`

interface Run {
  ms: number
  rss: number
  /** CPU time of this process (user + system) during the transfer: the host's share, steadier than wall time. */
  cpu: number
}

async function measured(fn: () => Promise<number>): Promise<Run> {
  let rss = process.memoryUsage.rss()
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage.rss())), 20)
  const start = now()
  const cpu = process.cpuUsage()
  try {
    const bytes = await fn()
    if (bytes !== SIZE_MIB * MIB) throw new Error(`got ${bytes} bytes, expected ${SIZE_MIB * MIB}`)
  } finally {
    clearInterval(sampler)
  }
  const used = process.cpuUsage(cpu)
  return {ms: now() - start, rss: Math.max(rss, process.memoryUsage.rss()), cpu: (used.user + used.system) / 1000}
}

async function viaExec(session: SandboxSession): Promise<number> {
  const handle = session.exec(COMMAND, {maxOutputBytes: 64 * 1024})
  let bytes = 0
  for await (const event of handle) if (event.type === 'stdout') bytes += event.chunk.length
  if ((await handle.result).exitCode !== 0) throw new Error(`${COMMAND} failed`)
  return bytes
}

type ShellToolModule = {createRunShellCommandTool: typeof createRunShellCommandTool}
type ShellTool = ReturnType<typeof createRunShellCommandTool>
const toolDirs = process.env.EXP_TOOLS?.split(',') ?? []
const tools: ShellTool[] = []
for (const dir of toolDirs) {
  const module = (await import(path.resolve(dir, 'tools/shell/index.ts'))) as ShellToolModule
  tools.push(module.createRunShellCommandTool())
}
const tool = ((await import('../../src/tools/shell/index.js')) as ShellToolModule).createRunShellCommandTool()

async function viaTool(session: SandboxSession, which: ShellTool = tool): Promise<number> {
  let chars = 0
  const result = await which.execute(
    {command: COMMAND, is_background: false, description: 'throughput'},
    {
      session,
      signal: new AbortController().signal,
      log: pino({level: 'silent'}),
      onProgress: (p) => {
        chars += p.chunk.length
      },
    },
  )
  if (result.error) throw new Error(result.error.message)
  return chars
}

const images = (process.env.EXP_IMAGES ?? (await benchImage())).split(',')
const lookup = await loadEngine()
if (!('engine' in lookup)) throw new Error(lookup.missing)
const id = await startIdle(images[0]!)
const workspace = path.join(WORK_DIR, 'repos', 'empty')
mkdirSync(workspace, {recursive: true})
const sessions: SandboxSession[] = []
try {
  for (const image of images) sessions.push(await lookup.engine.open(workspace, {image}))
  const loadBefore = loadavg()[0]!.toFixed(1)
  const exec: Run[][] = images.map(() => [])
  const shell: Run[][] = images.map(() => [])
  const variants: Run[][] = tools.map(() => [])
  const base: number[] = []
  const sides = [
    ...sessions.map((s, i) => async () => exec[i]!.push(await measured(() => viaExec(s)))),
    ...sessions.map((s, i) => async () => shell[i]!.push(await measured(() => viaTool(s)))),
    ...tools.map((t, i) => async () => variants[i]!.push(await measured(() => viaTool(sessions[0]!, t)))),
    async () => base.push((await runOk('docker', ['exec', id, 'sh', '-c', COMMAND], {discardStdout: true})).ms),
  ]
  for (let i = 0; i < REPS; i++) {
    progress(`rep ${i + 1}/${REPS}`)
    for (let k = 0; k < sides.length; k++) await sides[(i + k) % sides.length]!()
  }
  const b = median(base)
  const line = (name: string, runs: Run[]) => {
    const m = median(runs.map((r) => r.ms))
    const peak = Math.max(...runs.map((r) => r.rss))
    const cpu = median(runs.map((r) => r.cpu))
    return (
      `${name}: ${formatRate(SIZE_MIB * MIB, m)} (${formatMs(m)}), ${((b / m) * 100).toFixed(0)}% of docker exec, ` +
      `host CPU ${formatMs(cpu)}, peak RSS ${formatBytes(peak)}`
    )
  }
  console.log(`load ${loadBefore} -> ${loadavg()[0]!.toFixed(1)}; ${SIZE_MIB} MiB, ${REPS} reps each, rotated`)
  console.log(`docker exec: ${formatRate(SIZE_MIB * MIB, b)} (${formatMs(b)})`)
  images.forEach((image, i) => {
    console.log(line(`${image} session.exec`, exec[i]!))
    console.log(line(`${image} shell tool`, shell[i]!))
  })
  toolDirs.forEach((dir, i) => console.log(line(`${images[0]} shell tool from ${dir}`, variants[i]!)))
} finally {
  for (const session of sessions) await session.close().catch(() => undefined)
  await removeContainer(id)
}
