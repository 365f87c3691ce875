// Runs the built CLI (bin/run.js) as a subprocess, as a user would, with this process's environment and NO_COLOR.
import {assertBuilt as assertCliBuilt, REPO_ROOT, runCli as runBuiltCli} from '../e2e/helpers/run-cli.js'

export const repoRoot = REPO_ROOT

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Fails with a pointer to `npm run build` when dist/ is missing, instead of a confusing oclif error. */
export function assertBuilt(): void {
  assertCliBuilt('doctor')
}

export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Promise<CliResult> {
  const result = await runBuiltCli(args, {cwd: repoRoot, env: {...process.env, NO_COLOR: '1', ...env}, timeoutMs})
  return {code: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr}
}
