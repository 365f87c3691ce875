// Runs the built CLI (bin/run.js) as a subprocess, as a user would, and captures exit code, stdout and stderr.
import {execFile} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Fails with a pointer to `npm run build` when dist/ is missing, instead of a confusing oclif error. */
export function assertBuilt(): void {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'commands', 'doctor.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the integration tests')
  }
}

export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'bin', 'run.js'), ...args],
      {cwd: repoRoot, env: {...process.env, NO_COLOR: '1', ...env}, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({code, stdout: stdout.toString(), stderr: stderr.toString()})
      },
    )
  })
}
