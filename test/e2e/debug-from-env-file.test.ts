// DEBUG in the project's `.qwen/.env` turns on debug logging, as in Qwen Code (that file may set it); a plain `.env`
// may not (advanced.excludedEnvVars). The built CLI runs against the scripted model and a real sandbox.
import fs from 'node:fs/promises'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {sdkProject} from '../protocols/helpers/sdk-project.js'
import {runCli} from './helpers/run-cli.js'

const DEBUG_LOG = /^debug log: (.+)$/m

async function runWithEnvFile(envFile: string): Promise<{stderr: string; debugLines: number}> {
  await using project = await sdkProject([{text: 'Nothing to do.'}])
  await fs.mkdir(path.dirname(path.join(project.dir, envFile)), {recursive: true})
  await fs.writeFile(path.join(project.dir, envFile), 'DEBUG=1\n')
  const run = await runCli(['run', 'say hello'], {cwd: project.dir, env: project.env})
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
})
