// `agent diff <id> | head -3`: a reader that closes the pipe early ends the output, not the command; the kept
// container is stopped again and the session stays reviewable (real pipe, real container).
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CLI} from '../e2e/helpers/run-cli.js'
import {AttackSuite, containersOf, exec, shellCall} from '../security/helpers/attack-run.js'

const suite = new AttackSuite()
let project: string
let sessionId = ''

beforeAll(async () => {
  await suite.start()
  project = suite.project({'README.md': 'hello\n'})
  // ~600 KB of diff: far more than a pipe holds, so `diff` is still writing when head goes away.
  suite.server.setScript([{toolCalls: [shellCall({id: 'big', command: 'seq 1 100000 > big.txt'})]}, {text: 'done'}])
  const run = await suite.cli(['run', '-o', 'text', '--approval-mode', 'yolo', '--keep', 'make a big file'], project)
  sessionId = /agent diff ([0-9a-zA-Z-]+)/.exec(run.stderr)?.[1] ?? ''
}, 120_000)

afterAll(() => suite.stop())

async function running(): Promise<number> {
  const states = await Promise.all(
    (await containersOf(project)).map(
      async (id) => (await exec('docker', ['inspect', '-f', '{{.State.Running}}', id])).stdout.trim() === 'true',
    ),
  )
  return states.filter(Boolean).length
}

describe('agent diff into a pipe closed early', () => {
  it('ends cleanly with stdout alone piped, prints no error, and leaves the kept container stopped', async () => {
    expect(sessionId).not.toBe('')
    const script = `"${process.execPath}" "${CLI}" diff ${sessionId} 2>diff.err | head -3; echo "diff exit \${PIPESTATUS[0]}"; cat diff.err`
    const {stdout} = await promisify(execFile)('bash', ['-c', script], {
      cwd: project,
      env: suite.env() as NodeJS.ProcessEnv,
      timeout: 90_000,
    })
    expect(stdout.split('\n').slice(0, 3).join('\n')).toMatch(/big\.txt/)
    expect(stdout).toContain('diff exit 0')
    expect(stdout).not.toMatch(/EPIPE|Error|at .*\.js:\d+/)
    expect(await running()).toBe(0)
    expect(await containersOf(project)).toHaveLength(1)
  }, 120_000)

  it('ends cleanly with stdout and stderr both into the closed pipe, and leaves the container stopped', async () => {
    const script = `"${process.execPath}" "${CLI}" diff ${sessionId} 2>&1 | head -3 >/dev/null; echo "diff exit \${PIPESTATUS[0]}"`
    const {stdout} = await promisify(execFile)('bash', ['-c', script], {
      cwd: project,
      env: suite.env() as NodeJS.ProcessEnv,
      timeout: 90_000,
    })
    expect(stdout.trim()).toBe('diff exit 0')
    expect(await running()).toBe(0)
    expect(await containersOf(project)).toHaveLength(1)
  }, 120_000)

  it('keeps the session reviewable', async () => {
    const diff = await suite.cli(['diff', sessionId, '--stat'], project)
    expect(diff.exitCode).toBe(0)
    expect(diff.stdout).toContain('A big.txt')
    expect(await running()).toBe(0)
  }, 120_000)
})
