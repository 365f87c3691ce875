// Every way out of `agent run` does what it says: SIGTERM and SIGHUP keep the sandbox (container and volume, and
// `agent diff <id>` shows the work); Ctrl-C once or twice ends the run and keeps it as the summary says; three times
// removes everything. Checked against the real daemon, the built CLI and the scripted model.
import fs from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  AttackSuite,
  containersOf,
  exec,
  shellCall,
  spawnRun,
  volumesOf,
  waitFor,
} from '../security/helpers/attack-run.js'
import {stderrLines} from './helpers/fault-env.js'

const suite = new AttackSuite()

beforeAll(async () => {
  await suite.start()
}, 60_000)

afterAll(async () => {
  await suite.stop()
})

/** What the command runs after its work: plain, or deaf to SIGTERM (stopping it then takes the runner's 1 s grace). */
const WAIT = 'sleep 600'
const DEAF = "trap '' TERM; sleep 600"

/** Starts a run whose command writes work.txt, then waits; resolves once the command is running in the container. */
async function startRun(wait = WAIT) {
  const project = suite.project({'README.md': 'hello\n'})
  const cli = spawnRun(
    suite,
    project,
    [
      {toolCalls: [shellCall({id: 'work', command: `echo work > work.txt; touch /tmp/started; ${wait}`})]},
      {text: 'done'},
    ],
    ['--approval-mode', 'yolo'],
  )
  await waitFor(async () => {
    const [id] = await containersOf(project)
    if (!id) return false
    return exec('docker', ['exec', id, 'test', '-f', '/tmp/started']).then(
      () => true,
      () => false,
    )
  }, 60_000)
  return {project, cli}
}

async function state(project: string) {
  const containers = await containersOf(project)
  const running = await Promise.all(
    containers.map(async (id) => (await exec('docker', ['inspect', '-f', '{{.State.Running}}', id])).stdout.trim()),
  )
  return {
    containers: containers.length,
    running: running.filter((r) => r === 'true').length,
    volumes: (await volumesOf(project)).length,
  }
}

/** The kept session's id from the one line that says so; `agent diff <id>` must show the command's work. */
async function expectKeptAndReviewable(project: string, stderr: string) {
  const id = /review with `agent diff ([0-9a-f]+)`/.exec(stderr)?.[1]
  expect(id, stderr).toBeDefined()
  expect(await state(project)).toEqual({containers: 1, running: 0, volumes: 1})
  const diff = await suite.cli(['diff', id!], project)
  expect(diff.exitCode, diff.stderr).toBe(0)
  expect(diff.stdout).toContain('work.txt')
  // diff leaves it kept (stopped) for apply or discard
  expect(await state(project)).toEqual({containers: 1, running: 0, volumes: 1})
}

/**
 * Ctrl-C n times, each once the CLI has answered the one before (signals sent together would merge into one). The
 * command is deaf to SIGTERM, so the run is still stopping it when the next one comes.
 */
async function ctrlC(cli: ReturnType<typeof spawnRun>, times: number) {
  const answers = ['Stopping the running command', 'Ending the run']
  for (let i = 0; i < times; i++) {
    cli.kill('SIGINT')
    const answer = answers[i]
    if (i < times - 1 && answer) await waitFor(() => cli.stderr().includes(answer), 30_000)
  }
}

describe('signals to agent run', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s keeps the container and its volume, says so once, and agent diff shows the work',
    async (signal, code) => {
      const {project, cli} = await startRun()
      cli.kill(signal)
      const exit = await cli.exited
      expect(exit.code).toBe(code)
      const stderr = stderrLines(cli.stderr()).join('\n')
      expect(stderr).toContain(`Received ${signal}: the sandbox is kept (stopped)`)
      expect(stderr).not.toMatch(/No sandbox session|was removed/)
      await expectKeptAndReviewable(project, stderr)
    },
    120_000,
  )

  it('Ctrl-C once stops the command; the run ends and the sandbox is kept as the summary says', async () => {
    const {project, cli} = await startRun()
    cli.kill('SIGINT')
    const exit = await cli.exited
    const stderr = stderrLines(cli.stderr()).join('\n')
    expect(stderr).toContain('Stopping the running command')
    expect(stderr).toContain('The sandbox is kept (stopped)')
    expect(exit.code).not.toBeNull()
    await expectKeptAndReviewable(project, stderr)
  }, 120_000)

  it('Ctrl-C twice ends the run; the sandbox is kept as the summary says', async () => {
    const {project, cli} = await startRun(DEAF)
    await ctrlC(cli, 2)
    const exit = await cli.exited
    const stderr = stderrLines(cli.stderr()).join('\n')
    expect(stderr).toContain('Ending the run')
    expect(stderr).toContain('The sandbox is kept (stopped)')
    expect(stderr).not.toContain('Removing the sandbox')
    expect(exit.code).toBe(130)
    await expectKeptAndReviewable(project, stderr)
  }, 120_000)

  it('Ctrl-C three times removes the container and its volume, and says nothing is kept', async () => {
    const {project, cli} = await startRun(DEAF)
    await ctrlC(cli, 3)
    const exit = await cli.exited
    const stderr = stderrLines(cli.stderr()).join('\n')
    expect(stderr).toContain('Removing the sandbox and exiting')
    expect(stderr).not.toMatch(/kept|agent diff/)
    expect(exit.code).toBe(130)
    expect(await state(project)).toEqual({containers: 0, running: 0, volumes: 0})
  }, 120_000)

  it('Ctrl-C while the sandbox is still opening (the first model turn in flight) leaves nothing behind', async () => {
    // The first model answer is held back, so the run is waiting on the model while its sandbox opens beside it; the
    // signal comes as soon as the container exists, before the open (start, runner, self-test, copy) has finished.
    const project = suite.project({'README.md': 'hello\n'})
    const cli = spawnRun(
      suite,
      project,
      [{delayMs: 20_000, toolCalls: [shellCall({id: 'late', command: 'echo late > late.txt'})]}, {text: 'done'}],
      ['--approval-mode', 'yolo'],
    )
    await waitFor(async () => (await containersOf(project)).length > 0, 60_000)
    cli.kill('SIGINT')
    const exit = await cli.exited
    const stderr = stderrLines(cli.stderr()).join('\n')
    expect(stderr).toContain('Ending the run')
    expect(stderr).not.toMatch(/kept|agent diff|Error/)
    expect(exit.code).toBe(130)
    expect(await state(project)).toEqual({containers: 0, running: 0, volumes: 0})
    expect(fs.existsSync(path.join(project, 'late.txt'))).toBe(false)
  }, 120_000)
})
