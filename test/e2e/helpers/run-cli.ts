// Runs the built CLI (bin/run.js) as a subprocess and collects what it printed, its exit code and how long it took.
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const CLI = path.join(REPO_ROOT, 'bin', 'run.js')

/** Fails with a pointer to `npm run build` when the built CLI is missing, instead of a confusing oclif error. */
export function assertBuilt(command = 'run'): void {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'commands', `${command}.js`))) {
    throw new Error('Build the CLI first: npm run build')
  }
}

export interface CliResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  durationMs: number
}

export interface RunCliOptions {
  cwd: string
  env: Record<string, string | undefined>
  /** Written to stdin, then stdin is closed (closed at once when absent). */
  input?: string
  timeoutMs?: number
  /** The CLI's entry script (default: this clone's bin/run.js; the install test passes an installed one). */
  bin?: string
  /** Sees stderr as it grows, with a way to signal the process (e.g. Ctrl-C once a command runs). */
  onStderr?: (stderr: string, kill: (signal: NodeJS.Signals) => void) => void
}

export function runCli(args: string[], options: RunCliOptions): Promise<CliResult> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? CLI, ...args], {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: 'pipe',
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      options.onStderr?.(stderr, (signal) => child.kill(signal))
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000)
    child.on('error', reject)
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      resolve({exitCode, signal, stdout, stderr, durationMs: Date.now() - started})
    })
    child.stdin.end(options.input ?? '')
  })
}

/** A clean environment for the CLI: no inherited keys or settings, HOME in a temp dir, the model at `baseURL`. */
export function cliEnv(
  home: string,
  baseURL: string,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  const keep = ['PATH', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'TMPDIR', 'LANG', 'SANDBOX_AGENT_IMAGE']
  const env: Record<string, string | undefined> = {}
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name]
  // The user's docker context lives under the real home; point at it explicitly so HOME can be a temp dir.
  if (!env.DOCKER_CONFIG && process.env.HOME) env.DOCKER_CONFIG = path.join(process.env.HOME, '.docker')
  return {
    ...env,
    HOME: home,
    OPENAI_API_KEY: 'sk-e2e-test',
    OPENAI_BASE_URL: baseURL,
    OPENAI_MODEL: 'scripted-model',
    NO_COLOR: '1',
    ...extra,
  }
}
