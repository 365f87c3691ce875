// Benchmark 4: 500 MB of output through the session's streaming exec to a sink vs `docker exec ... head` to /dev/null.
import {readFileSync} from 'node:fs'
import {benchImage} from './lib/docker-cli.js'
import {guardRejections, progress, runBench} from './lib/harness.js'
import {runOk} from './lib/proc.js'
import {startSideBySide} from './lib/side-by-side.js'
import {pino} from 'pino'
import {unmeasured, type Figure} from './lib/report.js'
import {formatBytes, formatMs, formatRate, median, now} from './lib/stats.js'
import type {SandboxSession} from '../src/sandbox/types.js'

const MIB = 1024 * 1024
const SIZE_MIB = Number(process.env.BENCH_THROUGHPUT_MIB ?? 500)
const REPS = Number(process.env.BENCH_THROUGHPUT_REPS ?? 5)
const TOOL_REPS = Number(process.env.BENCH_THROUGHPUT_TOOL_REPS ?? 3)
// Printable output (the shell tool decodes text): 'y\n' repeated, SIZE_MIB MiB in all.
const COMMAND = `yes | head -c ${SIZE_MIB}M`

function vmHwmBytes(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return match ? Number(match[1]) * 1024 : Number.NaN
}

/** Streams the command's output into a counting sink; samples RSS every 20 ms while it runs. */
async function throughSession(session: SandboxSession): Promise<{ms: number; bytes: number; peakRss: number}> {
  let peakRss = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
  }, 20)
  const start = now()
  let bytes = 0
  try {
    const handle = session.exec(COMMAND, {maxOutputBytes: 64 * 1024})
    for await (const event of handle) {
      if (event.type === 'stdout') bytes += event.chunk.length
    }
    const result = await handle.result
    if (result.exitCode !== 0) throw new Error(`${COMMAND} exited ${result.exitCode ?? result.signal}`)
  } finally {
    clearInterval(sampler)
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
  return {ms: now() - start, bytes, peakRss}
}

/** The same output through the shell tool (`run_shell_command`), its live output going to a counting sink. */
async function throughShellTool(
  session: SandboxSession,
): Promise<{ms: number; bytes: number; peakRss: number; note: string}> {
  const {createRunShellCommandTool} = await import('../src/tools/shell/index.js')
  const tool = createRunShellCommandTool()
  let peakRss = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
  }, 20)
  let chars = 0
  const start = now()
  let note: string
  try {
    const outcome = await guardRejections(() =>
      tool.execute(
        {command: COMMAND, is_background: false, description: 'throughput'},
        {
          session,
          signal: new AbortController().signal,
          log: pino({level: 'silent'}),
          onProgress: (progress) => {
            chars += progress.chunk.length
          },
        },
      ),
    )
    const result = outcome.value
    note = result
      ? result.error
        ? `tool error: ${result.error.message}`
        : (result.forUser.split('\n').pop() ?? '')
      : `execute() failed: ${String(outcome.error)}`
    if (outcome.unhandled.length > 0) {
      note += ` (and ${outcome.unhandled.length} unhandled promise rejection(s), which crash a plain Node process: ${String(outcome.unhandled[0])})`
    }
  } finally {
    clearInterval(sampler)
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
  return {ms: now() - start, bytes: chars, peakRss, note}
}

await runBench({name: 'throughput', title: '4. Output throughput', order: 4}, async () => {
  const image = await benchImage()
  const {id, session, lookup} = await startSideBySide(image)
  const rssBefore = process.memoryUsage.rss()

  const ours: {ms: number; bytes: number; peakRss: number}[] = []
  const viaTool: {ms: number; bytes: number; peakRss: number; note: string}[] = []
  const base: number[] = []
  for (let i = 0; i < REPS; i++) {
    progress(`rep ${i + 1}/${REPS}`)
    const cli = async () =>
      base.push((await runOk('docker', ['exec', id, 'sh', '-c', COMMAND], {discardStdout: true})).ms)
    const ourSide = async () => {
      if (session) ours.push(await throughSession(session))
    }

    if (i % 2 === 0) {
      await ourSide()
      await cli()
    } else {
      await cli()
      await ourSide()
    }
  }
  const hwmAfterSession = vmHwmBytes()
  // The shell tool last, so what it leaves on the heap does not count against the plain session path's RSS.
  const toolSide = async () => {
    if (session && viaTool.length < TOOL_REPS) viaTool.push(await throughShellTool(session))
  }
  for (let i = 0; i < Math.min(REPS, TOOL_REPS); i++) {
    progress(`shell tool rep ${i + 1}/${Math.min(REPS, TOOL_REPS)}`)
    await toolSide()
  }
  const bytes = SIZE_MIB * MIB
  const b = median(base)
  const figures: Figure[] = []
  const notes = [
    `Image \`${image}\`. Command \`${COMMAND}\` in the container. Ours: \`session.exec\` iterated to the end, ` +
      'every stdout chunk counted and dropped (the live stream path, with 64 KiB kept for the result); baseline: ' +
      `\`docker exec <ctr> sh -c '${COMMAND}'\` with the CLI's stdout on /dev/null. Median of ${REPS}, interleaved. ` +
      'Host RSS: the benchmark process (Node + tsx + the engine), sampled every 20 ms while ours ran, plus VmHWM.',
  ]
  if (session) {
    const o = median(ours.map((r) => r.ms))
    const peak = Math.max(...ours.map((r) => r.peakRss))
    const wrong = ours.find((r) => r.bytes !== bytes)
    if (wrong) notes.push(`Warning: ours delivered ${wrong.bytes} bytes, expected ${bytes}.`)
    const share = b / o
    figures.push(
      {
        figure: `throughput, ${SIZE_MIB} MiB of stdout`,
        ours: `${formatRate(bytes, o)} (${formatMs(o)})`,
        baseline: `${formatRate(bytes, b)} (${formatMs(b)}) docker exec`,
        ratio: `${(share * 100).toFixed(0)}% of baseline`,
        target: '>= 80% of baseline',
        met: share >= 0.8,
      },
      {
        figure: 'peak host RSS during throughput',
        ours: `${formatBytes(peak)} sampled (VmHWM ${formatBytes(hwmAfterSession)}; ${formatBytes(rssBefore)} before)`,
        baseline: 'n/a',
        ratio: 'n/a',
        target: '< 200 MB',
        met: peak < 200 * 1e6,
      },
    )
    if (viaTool.length > 0) {
      const t = median(viaTool.map((r) => r.ms))
      const toolShare = b / t
      const toolPeak = Math.max(...viaTool.map((r) => r.peakRss))
      figures.push(
        {
          figure: `throughput via the shell tool (run_shell_command), ${SIZE_MIB} MiB, median of ${viaTool.length}`,
          ours: `${formatRate(bytes, t)} (${formatMs(t)})`,
          baseline: `${formatRate(bytes, b)} docker exec`,
          ratio: `${(toolShare * 100).toFixed(0)}% of baseline`,
          target: '>= 80% of baseline',
          met: toolShare >= 0.8,
        },
        {
          figure: 'peak host RSS via the shell tool',
          ours: formatBytes(toolPeak),
          baseline: 'n/a',
          ratio: 'n/a',
          target: '< 200 MB',
          met: toolPeak < 200 * 1e6,
        },
      )
      notes.push(
        'Shell tool rows: `run_shell_command.execute()` on the same session, its live output (`onProgress`) counted ' +
          `and dropped; it also keeps head and tail for the model and saves the full output inside the sandbox. ` +
          `It reported ${viaTool.map((r) => r.bytes).join(', ')} characters of live output and ended with: ` +
          `${[...new Set(viaTool.map((r) => r.note))].join(' | ')}.`,
      )
    }
  } else {
    const why = 'missing' in lookup ? lookup.missing : ''
    figures.push(
      unmeasured(
        `throughput, ${SIZE_MIB} MiB of stdout`,
        '>= 80% of baseline',
        why,
        `${formatRate(bytes, b)} docker exec`,
      ),
      unmeasured('peak host RSS during throughput', '< 200 MB', why),
    )
  }
  return {figures, notes, raw: {ours, baseline: base, image}}
})
