// Experiment (not part of run-all): where the CPU goes while output streams, ours against `docker exec`.
//
// node --import tsx bench/experiments/throughput-cpu.ts [MiB] [reps]
// On a shared 2-core machine wall time swings with other load; CPU seconds per transfer do not (much). For each side it
// reads, before and after: the host process (ours) or its waited-for children (the docker CLI), dockerd, the
// container's containerd-shim, and the container's cgroup (runner + the command). Also the sizes of the chunks our
// consumer receives. BENCH_IMAGE picks the image (e.g. a throw-away one with a changed runner).
import {readFileSync, mkdirSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {benchImage, startIdle, removeContainer} from '../lib/docker-cli.js'
import {loadEngine} from '../lib/engine.js'
import {progress} from '../lib/harness.js'
import {runOk} from '../lib/proc.js'
import {WORK_DIR} from '../lib/report.js'
import {formatMs, formatRate, median, now} from '../lib/stats.js'
import type {SandboxSession} from '../../src/sandbox/types.js'

const MIB = 1024 * 1024
const SIZE_MIB = Number(process.argv[2] ?? 500)
const REPS = Number(process.argv[3] ?? 3)
const COMMAND = `yes | head -c ${SIZE_MIB}M`
const TICK = 100 // USER_HZ

function procCpuMs(pid: number, children = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields after ")": state=0 ... utime=11 stime=12 cutime=13 cstime=14
  const ticks = children ? Number(f[13]) + Number(f[14]) : Number(f[11]) + Number(f[12])
  return (ticks * 1000) / TICK
}

function pidsOf(match: (cmdline: string) => boolean): number[] {
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (match(readFileSync(`/proc/${name}/cmdline`, 'latin1').replaceAll('\0', ' '))) pids.push(Number(name))
    } catch {
      // gone
    }
  }
  return pids
}

function cgroupCpuMs(containerId: string): number {
  for (const file of [
    `/sys/fs/cgroup/cpuacct/docker/${containerId}/cpuacct.usage`,
    `/sys/fs/cgroup/cpu,cpuacct/docker/${containerId}/cpuacct.usage`,
  ]) {
    try {
      return Number(readFileSync(file, 'utf8')) / 1e6
    } catch {
      // next
    }
  }
  try {
    const stat = readFileSync(`/sys/fs/cgroup/system.slice/docker-${containerId}.scope/cpu.stat`, 'utf8')
    return Number(/usage_usec (\d+)/.exec(stat)?.[1]) / 1000
  } catch {
    return Number.NaN
  }
}

interface Sample {
  wall: number
  self: number
  dockerd: number
  shim: number
  container: number
}

function snapshot(containerId: string, selfChildren: boolean): Omit<Sample, 'wall'> {
  const dockerd = pidsOf((c) => c.startsWith('dockerd') || c.includes('/dockerd '))[0]
  const shim = pidsOf((c) => c.includes('containerd-shim') && c.includes(containerId))[0]
  const usage = process.cpuUsage()
  return {
    self: selfChildren ? procCpuMs(process.pid, true) : (usage.user + usage.system) / 1000,
    dockerd: dockerd ? procCpuMs(dockerd) : Number.NaN,
    shim: shim ? procCpuMs(shim) : Number.NaN,
    container: cgroupCpuMs(containerId),
  }
}

function diff(a: Omit<Sample, 'wall'>, b: Omit<Sample, 'wall'>, wall: number): Sample {
  return {
    wall,
    self: b.self - a.self,
    dockerd: b.dockerd - a.dockerd,
    shim: b.shim - a.shim,
    container: b.container - a.container,
  }
}

const sizes = new Map<number, number>()
function bucket(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)))
}

async function ours(session: SandboxSession, containerId: string): Promise<Sample> {
  const before = snapshot(containerId, false)
  const start = now()
  const handle = session.exec(COMMAND, {maxOutputBytes: 64 * 1024})
  let bytes = 0
  for await (const event of handle) {
    if (event.type === 'stdout') {
      bytes += event.chunk.length
      const b = bucket(event.chunk.length)
      sizes.set(b, (sizes.get(b) ?? 0) + 1)
    }
  }
  const wall = now() - start
  if (bytes !== SIZE_MIB * MIB) throw new Error(`got ${bytes} bytes`)
  return diff(before, snapshot(containerId, false), wall)
}

async function cli(containerId: string): Promise<Sample> {
  const before = snapshot(containerId, true)
  const result = await runOk('docker', ['exec', containerId, 'sh', '-c', COMMAND], {discardStdout: true})
  return diff(before, snapshot(containerId, true), result.ms)
}

function describe(name: string, samples: Sample[]): string {
  const m = (k: keyof Sample) => median(samples.map((s) => s[k]))
  const total = m('self') + m('dockerd') + m('shim') + m('container')
  return (
    `${name.padEnd(12)} wall ${formatMs(m('wall')).padStart(9)} (${formatRate(SIZE_MIB * MIB, m('wall'))})  CPU: ` +
    `host ${formatMs(m('self'))}, dockerd ${formatMs(m('dockerd'))}, shim ${formatMs(m('shim'))}, ` +
    `container ${formatMs(m('container'))}; sum ${formatMs(total)}`
  )
}

// Not through runBench: an experiment prints, it does not write bench/results.md.
// EXP_IMAGES=a,b,...: one session per image (e.g. the old and a new runner), all interleaved with the baseline.
const image = await benchImage()
const images = (process.env.EXP_IMAGES ?? image).split(',')
const lookup = await loadEngine()
if (!('engine' in lookup)) throw new Error(lookup.missing)
const id = await startIdle(image)
const workspace = path.join(WORK_DIR, 'repos', 'empty')
mkdirSync(workspace, {recursive: true})
const sessions: SandboxSession[] = []
try {
  for (const img of images) sessions.push(await lookup.engine.open(workspace, {image: img}))
  const containerOf = (s: SandboxSession) => (s as unknown as {containerId: string}).containerId
  for (const s of sessions) await ours(s, containerOf(s))
  await cli(id)
  sizes.clear()
  const samples: Sample[][] = sessions.map(() => [])
  const b: Sample[] = []
  for (let i = 0; i < REPS; i++) {
    progress(`rep ${i + 1}/${REPS}`)
    const order = [...sessions.keys(), -1]
    if (i % 2 === 1) order.reverse()
    for (const k of order) {
      if (k === -1) b.push(await cli(id))
      else samples[k]!.push(await ours(sessions[k]!, containerOf(sessions[k]!)))
    }
  }
  const lines = images.map((img, k) => describe(img.replace(/^.*:/, ''), samples[k]!))
  lines.push(describe('docker exec', b))
  const base = median(b.map((x) => x.wall))
  lines.push(
    `share of docker exec: ${images.map((img, k) => `${img.replace(/^.*:/, '')} ${((base / median(samples[k]!.map((x) => x.wall))) * 100).toFixed(0)}%`).join(', ')}`,
  )
  const chunks = [...sizes.entries()].sort((x, y) => x[0] - y[0]).map(([k, v]) => `<=${k}: ${v}`)
  lines.push(`chunks received by our consumers (${REPS} reps): ${chunks.join(', ')}`)
  for (const line of lines) process.stdout.write(`${line}\n`)
} finally {
  for (const s of sessions) await s.close()
  await removeContainer(id)
}
