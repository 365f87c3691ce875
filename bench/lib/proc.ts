// Running a child process and timing it: exit code, captured output (bounded), wall time from spawn to exit.
import {spawn, type StdioOptions} from 'node:child_process'
import {now} from './stats.js'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
}

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  input?: string
  /** Discard stdout instead of capturing it (for throughput baselines). */
  discardStdout?: boolean
  timeoutMs?: number
}

const CAPTURE_LIMIT = 1024 * 1024

/** Spawns without a shell and resolves when the process has exited and its pipes have closed. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = [
      options.input === undefined ? 'ignore' : 'pipe',
      options.discardStdout ? 'ignore' : 'pipe',
      'pipe',
    ]
    const start = now()
    const child = spawn(command, args, {cwd: options.cwd, env: options.env ?? process.env, stdio})
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < CAPTURE_LIMIT) stdout += d
    })
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < CAPTURE_LIMIT) stderr += d
    })
    if (options.input !== undefined) child.stdin?.end(options.input)
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({code, signal, stdout, stderr, ms: now() - start})
    })
  })
}

/** Like run, but throws with the command's stderr when it does not exit 0. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code ?? result.signal}: ${result.stderr.trim()}`)
  }
  return result
}
