// Drives attacks end to end: the scripted model asks run_shell_command to run them through the built CLI in a real
// sandbox; the run's stream-json output is parsed into tool results, and every container of a project is found by label.
import {execFile, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {streamJsonMessageSchema, type StreamJsonMessage} from '../../../src/output/stream-json-schema.js'
import {assertBuilt, CLI, cliEnv, type CliResult, runCli} from '../../e2e/helpers/run-cli.js'
import {containersOf, removeSandboxesOf, volumesOf} from '../../helpers/project-sandboxes.js'
import {startScriptedModel, type ScriptStep, type ScriptedModelServer} from '../../fixtures/scripted-model/index.js'

export const exec = promisify(execFile)

/** A distinctive API key: if it ever shows up in a tool's output, the sandbox leaked it. */
export const API_KEY = `sk-security-suite-${randomBytes(12).toString('hex')}`

export interface ShellCall {
  id: string
  command: string
  timeout?: number
  background?: boolean
}

export const shellCall = ({id, command, timeout, background}: ShellCall) => ({
  id,
  name: 'run_shell_command',
  arguments: {command, is_background: background ?? false, ...(timeout ? {timeout} : {})},
})

/** One model turn running every call, then a final answer. */
export function attackScript(calls: ShellCall[]): ScriptStep[] {
  return [{toolCalls: calls.map(shellCall)}, {text: 'done'}]
}

export interface AttackRun {
  cli: CliResult
  messages: StreamJsonMessage[]
  /** tool_use_id -> the result text the model was given. */
  tools: Record<string, string>
  final: Extract<StreamJsonMessage, {type: 'result'}> | undefined
  sessionId: string
}

export function parseRun(cli: CliResult): AttackRun {
  const messages = cli.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => streamJsonMessageSchema.parse(JSON.parse(line)))
  const tools: Record<string, string> = {}
  for (const message of messages) {
    if (message.type !== 'user') continue
    for (const block of message.message.content) {
      if (typeof block === 'object' && block.type === 'tool_result') {
        tools[block.tool_use_id] = typeof block.content === 'string' ? block.content : JSON.stringify(block.content)
      }
    }
  }
  const final = messages.findLast((m): m is Extract<StreamJsonMessage, {type: 'result'}> => m.type === 'result')
  return {cli, messages, tools, final, sessionId: final?.sandbox_session_id ?? ''}
}

/** The `Stdout:` field of a shell result (up to `Stderr:`). */
export function stdoutOf(result: string | undefined): string {
  return /\nStdout: ([\s\S]*?)\nStderr: /.exec(result ?? '')?.[1] ?? ''
}

/** What the command printed (the `Stdout:` and `Stderr:` fields), without the echoed command line. */
export function outputOf(result: string | undefined): string {
  return /\nStdout: ([\s\S]*?)\nError: /.exec(result ?? '')?.[1] ?? ''
}

export class AttackSuite {
  server!: ScriptedModelServer
  home!: string
  readonly projects: string[] = []

  async start(): Promise<void> {
    assertBuilt('run')
    this.server = await startScriptedModel({steps: [], apiKey: API_KEY})
    this.home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-agent-security-home-')))
  }

  async stop(): Promise<void> {
    for (const project of this.projects) await removeSandboxesOf(project)
    await this.server?.close()
    for (const dir of [this.home, ...this.projects]) {
      if (dir) fs.rmSync(dir, {recursive: true, force: true})
    }
  }

  /** A fresh project (its path is the unique label of its containers) with files and project settings. */
  project(files: Record<string, string> = {}, settings?: Record<string, unknown>): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-agent-security-project-')))
    this.projects.push(dir)
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), {recursive: true})
      fs.writeFileSync(path.join(dir, name), content)
    }
    if (settings) {
      fs.mkdirSync(path.join(dir, '.qwen'), {recursive: true})
      fs.writeFileSync(path.join(dir, '.qwen', 'settings.json'), JSON.stringify({sandbox: settings}))
    }
    return dir
  }

  env(extra: Record<string, string> = {}): Record<string, string | undefined> {
    return cliEnv(this.home, this.server.url, {OPENAI_API_KEY: API_KEY, ...extra})
  }

  /** `agent run -o stream-json --approval-mode yolo` (unless `args` says otherwise) in `project`, following `steps`. */
  async run(
    project: string,
    steps: ScriptStep[],
    options: {args?: string[]; env?: Record<string, string>; timeoutMs?: number} = {},
  ): Promise<AttackRun> {
    this.server.setScript(steps)
    const args = options.args ?? ['--approval-mode', 'yolo']
    const cli = await runCli(['run', '-o', 'stream-json', ...args, 'attack'], {
      cwd: project,
      env: this.env(options.env),
      timeoutMs: options.timeoutMs ?? 90_000,
    })
    return parseRun(cli)
  }

  /** Runs any other CLI command (sandbox ls/prune, discard) with the suite's environment. */
  cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, {cwd, env: this.env(env)})
  }
}

export {containersOf, volumesOf, removeSandboxesOf as removeContainersOf}

/** Host processes whose command line contains `marker` (a container's processes are host processes too). */
export async function hostProcesses(marker: string): Promise<string[]> {
  const {stdout} = await exec('ps', ['-eo', 'pid,args'])
  return stdout.split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo'))
}

export interface SpawnedCli {
  pid: number
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit code (or the signal) and the largest resident set size seen (VmHWM, bytes). */
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null; peakRssBytes: number}>
  kill(signal: NodeJS.Signals): void
}

/** Starts `agent run` without waiting, so a test can signal it mid-run and sample its memory from /proc. */
export function spawnRun(suite: AttackSuite, project: string, steps: ScriptStep[], args: string[]): SpawnedCli {
  suite.server.setScript(steps)
  const child = spawn(process.execPath, [CLI, 'run', '-o', 'stream-json', ...args, 'attack'], {
    cwd: project,
    env: suite.env() as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  let peak = 0
  const sample = () => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0)
      peak = Math.max(peak, kb * 1024)
    } catch {
      // gone already: the last sample stands
    }
  }
  const timer = setInterval(sample, 50)
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null; peakRssBytes: number}>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(timer)
      resolve({code, signal, peakRssBytes: peak})
    })
  })
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal) => child.kill(signal),
  }
}

/** Resolves once `predicate` holds (checked every 50 ms), or rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
