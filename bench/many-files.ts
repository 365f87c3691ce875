// Benchmark 7: 300,000 new small files in a kept sandbox: the CLI's peak memory and time to list (agent diff --stat) and apply them.
import {spawn} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {startScriptedModel} from '../test/fixtures/scripted-model/server.js'
import {cliEnv} from '../test/e2e/helpers/run-cli.js'
import {onCleanup, progress, runBench} from './lib/harness.js'
import {runOk} from './lib/proc.js'
import {ratioText, REPO_ROOT, WORK_DIR, type Figure} from './lib/report.js'
import {formatMs, now} from './lib/stats.js'

const FILES = Number(process.env.BENCH_MANY_FILES ?? 300_000)
/** Another build's bin/run.js (e.g. a worktree of the commit before) measured the same way: the "before" column. */
const BEFORE_CLI = process.env.BENCH_BEFORE_CLI
/** Also let the "before" CLI apply everything (minutes; it writes every file into the bench project). */
const BEFORE_APPLY = process.env.BENCH_MANY_BEFORE_APPLY === '1'
/** Also apply everything with this build, the limit raised above FILES (minutes). */
const RAISED_APPLY = process.env.BENCH_MANY_RAISED_APPLY === '1'
const AFTER_CLI = path.join(REPO_ROOT, 'bin', 'run.js')
const WORKSPACE_LABEL = 'dev.sandbox-agent.workspace'

interface CliRun {
  ms: number
  peakMiB: number
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a CLI to its end, sampling its resident high-water mark (VmHWM) from /proc every 20 ms. */
function measureCli(cli: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const start = now()
    const child = spawn(process.execPath, [cli, ...args], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-4000)))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)))
    let peakKb = 0
    const sample = () => {
      try {
        const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0)
        peakKb = Math.max(peakKb, kb)
      } catch {
        // exited meanwhile: the last sample stands
      }
    }
    const timer = setInterval(sample, 20)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearInterval(timer)
      resolve({ms: now() - start, peakMiB: peakKb / 1024, code, stdout, stderr})
    })
  })
}

const mib = (value: number) => `${value.toFixed(0)} MiB`
const lastLine = (text: string) => text.trim().split('\n').pop() ?? ''

/** Python run in the sandbox: FILES files of ~12 bytes, 1,000 per folder. */
function makeFilesCommand(count: number): string {
  const script = [
    'import os',
    `for i in range(${count}):`,
    '    d = "gen/%d" % (i // 1000)',
    '    if i % 1000 == 0: os.makedirs(d, exist_ok=True)',
    '    open("%s/%d.txt" % (d, i), "w").write("file %d\\n" % i)',
  ].join('\n')
  return `python3 -c '${script}' && find gen -type f | wc -l`
}

await runBench({name: 'many-files', title: '7. Many new files out', order: 7}, async () => {
  const root = path.join(WORK_DIR, 'many-files')
  rmSync(root, {recursive: true, force: true})
  const home = path.join(root, 'home')
  const many = path.join(root, 'many')
  const one = path.join(root, 'one')
  for (const dir of [home, many, one]) mkdirSync(dir, {recursive: true})
  for (const dir of [many, one]) writeFileSync(path.join(dir, 'README.md'), 'bench\n')
  onCleanup(async () => rmSync(root, {recursive: true, force: true}))

  const server = await startScriptedModel({steps: [], apiKey: 'sk-bench'})
  onCleanup(() => server.close())
  const env = {...cliEnv(home, server.url, {OPENAI_API_KEY: 'sk-bench'})} as NodeJS.ProcessEnv
  const sessions: Array<{id: string; cwd: string}> = []
  onCleanup(async () => {
    for (const {id, cwd} of sessions) await measureCli(AFTER_CLI, ['discard', id], cwd, env).catch(() => undefined)
  })

  /** A kept session whose one tool call runs `command` (timeout 600 s). */
  const keptSession = async (cwd: string, command: string): Promise<string> => {
    server.setScript([
      {
        toolCalls: [
          {id: 'make', name: 'run_shell_command', arguments: {command, is_background: false, timeout: 600_000}},
        ],
      },
      {text: 'done'},
    ])
    const run = await measureCli(
      AFTER_CLI,
      ['run', '--keep', '-o', 'text', '--approval-mode', 'yolo', 'make'],
      cwd,
      env,
    )
    const id = /agent diff ([0-9a-zA-Z-]+)/.exec(run.stderr)?.[1]
    if (!id) throw new Error(`no kept session (exit ${run.code}): ${lastLine(run.stderr)}`)
    sessions.push({id, cwd})
    return id
  }

  progress(`making ${FILES.toLocaleString('en-US')} files in a sandbox`)
  const manyId = await keptSession(many, makeFilesCommand(FILES))
  progress('making a one-file change in another sandbox')
  const oneId = await keptSession(one, 'echo changed > README.md')

  // Baseline: the Docker CLI lists the same tree: start the kept container, `find` with the fields we need, stop it.
  progress('baseline: docker start + docker exec find + docker stop')
  const {stdout: ids} = await runOk('docker', ['ps', '-aq', '--filter', `label=${WORKSPACE_LABEL}=${many}`])
  const container = ids.trim().split('\n')[0] ?? ''
  const baseStart = now()
  await runOk('docker', ['start', container])
  const listed = await runOk('docker', [
    'exec',
    container,
    'sh',
    '-c',
    "find /workspace -mindepth 1 -printf '%P\\0%y\\0%s\\0%T@\\0%m\\0%l\\0' | wc -c",
  ])
  await runOk('docker', ['stop', '-t', '2', container])
  const baseMs = now() - baseStart

  const figures: Figure[] = []
  const notes: string[] = [
    `${FILES.toLocaleString('en-US')} new files of ~12 bytes (1,000 per folder) made by one command in a kept sandbox; ` +
      `the CLI measured as a process: wall time and peak RSS (VmHWM sampled from /proc every 20 ms). Baseline for ` +
      `time: \`docker start\` + \`docker exec find /workspace -printf <the fields we list>\` (${Number(listed.stdout.trim()).toLocaleString('en-US')} bytes) + \`docker stop\`. ` +
      'Baseline for memory: the same CLI on a kept sandbox with one changed file.',
  ]
  const raw: Record<string, unknown> = {files: FILES, baselineListMs: baseMs}

  const oneDiff = await measureCli(AFTER_CLI, ['diff', oneId, '--stat'], one, env)
  raw.oneFileDiff = {ms: oneDiff.ms, peakMiB: oneDiff.peakMiB}
  // One CLI command on the many-files sandbox: its time against the listing baseline, its peak RSS against one file's.
  const measureCommand = async (
    label: string,
    cli: string,
    what: {name: string; args: string[]; key: string},
    extraEnv: Record<string, string> = {},
  ) => {
    progress(`${label}: agent ${what.args.join(' ')}`)
    const result = await measureCli(cli, what.args, many, {...env, ...extraEnv})
    figures.push({
      figure: `${label}: ${what.name}, time`,
      ours: formatMs(result.ms),
      baseline: formatMs(baseMs),
      ratio: ratioText(result.ms, baseMs),
      target: '-',
      met: null,
    })
    figures.push({
      figure: `${label}: ${what.name}, peak RSS`,
      ours: mib(result.peakMiB),
      baseline: mib(oneDiff.peakMiB),
      ratio: ratioText(result.peakMiB, oneDiff.peakMiB),
      target: '-',
      met: null,
    })
    const last = lastLine(result.stdout + result.stderr).slice(0, 300)
    notes.push(`${label} ${what.key.toLowerCase()}: exit ${result.code}; last line: ${last}`)
    raw[`${label}${what.key}`] = {ms: result.ms, peakMiB: result.peakMiB, code: result.code}
  }
  const measure = (label: string, cli: string) =>
    measureCommand(label, cli, {name: 'agent diff --stat', args: ['diff', manyId, '--stat'], key: 'Diff'})
  const measureApply = (label: string, cli: string, extraEnv: Record<string, string> = {}) =>
    measureCommand(label, cli, {name: 'agent apply', args: ['apply', manyId, '--keep'], key: 'Apply'}, extraEnv)

  await measure('this build', AFTER_CLI)
  if (BEFORE_CLI) await measure('before', BEFORE_CLI)
  // The limit stops it: nothing is written, the session stays as it was for what follows.
  await measureApply('this build', AFTER_CLI)
  if (RAISED_APPLY) {
    const settings = path.join(home, '.qwen', 'settings.json')
    mkdirSync(path.dirname(settings), {recursive: true})
    writeFileSync(settings, JSON.stringify({sandbox: {maxApplyFiles: FILES + 1000}}))
    await measureApply('this build, limit raised', AFTER_CLI)
    rmSync(settings)
  } else if (BEFORE_CLI && BEFORE_APPLY) await measureApply('before', BEFORE_CLI)
  if (RAISED_APPLY && BEFORE_CLI && BEFORE_APPLY)
    notes.push('The "before" apply was skipped: the raised-limit apply already applied the files (run them apart).')
  return {figures, notes, raw}
})
