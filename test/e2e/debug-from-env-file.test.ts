// DEBUG in the project's `.qwen/.env` turns on debug logging, as in Qwen Code (that file may set it); a plain `.env`
// may not (advanced.excludedEnvVars); in a batch only --cwd's counts. The built CLI runs against the scripted model
// and a real sandbox.
import fs from 'node:fs/promises'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {sdkProject} from '../protocols/helpers/sdk-project.js'
import {runCli} from './helpers/run-cli.js'

const DEBUG_LOG = /^debug log: (.+)$/m

async function runWithEnvFile(
  envFile: string,
  command: 'run' | 'batch from --cwd' | 'batch from the task' = 'run',
): Promise<{stderr: string; debugLines: number}> {
  await using project = await sdkProject([{text: 'Nothing to do.'}])
  // A batch's task works on a project of its own; --cwd is where the batch reads its settings and .env.
  const task = path.join(project.home, 'task')
  const withFile = command === 'batch from the task' ? task : project.dir
  await fs.mkdir(task)
  await fs.mkdir(path.dirname(path.join(withFile, envFile)), {recursive: true})
  await fs.writeFile(path.join(withFile, envFile), 'DEBUG=1\n')
  await fs.writeFile(path.join(project.home, 'tasks.jsonl'), `${JSON.stringify({id: 't', cwd: task, prompt: 'hi'})}\n`)
  const args =
    command === 'run'
      ? ['run', 'say hello']
      : ['batch', path.join(project.home, 'tasks.jsonl'), '--out', path.join(project.home, 'out')]
  const run = await runCli(args, {cwd: project.dir, env: project.env})
  expect(run.exitCode, run.stderr).toBe(0)
  const file = DEBUG_LOG.exec(run.stderr)?.[1]
  if (!file) return {stderr: run.stderr, debugLines: 0}
  // pino writes level 20 for debug; only this run's lines count (the log file is the home's, new per test).
  const lines = (await fs.readFile(file, 'utf8')).split('\n').filter((line) => line.includes('"level":20'))
  return {stderr: run.stderr, debugLines: lines.length}
}

describe('DEBUG from an env file', () => {
  it('from .qwen/.env: the run says where the debug log is and logs at debug level', async () => {
    const {stderr, debugLines} = await runWithEnvFile('.qwen/.env')
    expect(stderr).toMatch(DEBUG_LOG)
    expect(debugLines).toBeGreaterThan(0)
  })

  it('from a plain .env: ignored, as advanced.excludedEnvVars says', async () => {
    const {stderr, debugLines} = await runWithEnvFile('.env')
    expect(stderr).not.toMatch(DEBUG_LOG)
    expect(debugLines).toBe(0)
  })

  it("agent batch: from --cwd's .qwen/.env, never from a task's project (the log is the whole batch's)", async () => {
    const fromCwd = await runWithEnvFile('.qwen/.env', 'batch from --cwd')
    expect(fromCwd.stderr).toMatch(DEBUG_LOG)
    expect(fromCwd.debugLines).toBeGreaterThan(0)
    const fromTask = await runWithEnvFile('.qwen/.env', 'batch from the task')
    expect(fromTask.stderr).not.toMatch(DEBUG_LOG)
    expect(fromTask.debugLines).toBe(0)
  })
})
