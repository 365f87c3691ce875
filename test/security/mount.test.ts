// sandbox.mount must not show the project to the session: what the copy leaves out on purpose (.qwen/.env, what
// .qwenignore and sandbox.exclude name) stays out of every command's reach, as without mount.
import fs from 'node:fs'
import path from 'node:path'
import {randomBytes} from 'node:crypto'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AttackSuite, attackScript, containersOf, exec, stdoutOf, type AttackRun} from './helpers/attack-run.js'

const suite = new AttackSuite()
const ENV_SECRET = `env-secret-${randomBytes(8).toString('hex')}`
const EXCLUDED_SECRET = `excluded-secret-${randomBytes(8).toString('hex')}`
const IGNORED_SECRET = `ignored-secret-${randomBytes(8).toString('hex')}`
let run: AttackRun
let project: string

beforeAll(async () => {
  await suite.start()
  // sandbox.mount and sandbox.exclude from the user's own settings (a project may not widen the sandbox).
  fs.mkdirSync(path.join(suite.home, '.qwen'), {recursive: true})
  fs.writeFileSync(
    path.join(suite.home, '.qwen', 'settings.json'),
    JSON.stringify({sandbox: {mount: true, exclude: ['private/**']}}),
  )
  project = suite.project({
    'README.md': 'hello\n',
    '.qwen/.env': `PROJECT_TOKEN=${ENV_SECRET}\n`,
    'private/notes.txt': `${EXCLUDED_SECRET}\n`,
    'ignored.txt': `${IGNORED_SECRET}\n`,
    '.qwenignore': 'ignored.txt\n',
  })
  // The container user (uid 1000) reads the project through the helper's bind with the host's permissions.
  fs.chmodSync(project, 0o755)
  run = await suite.run(
    project,
    attackScript([
      {
        id: 'look',
        command: [
          'cat README.md',
          'cat /mnt/host-workspace/.qwen/.env /mnt/host-workspace/private/notes.txt /mnt/host-workspace/ignored.txt',
          'cat .qwen/.env private/notes.txt ignored.txt',
          `grep -rs -e env-secret- -e excluded-secret- -e ignored-secret- / --exclude-dir=proc --exclude-dir=sys | grep -v '^/proc'`,
          "grep -c ' /mnt/host-workspace' /proc/self/mountinfo",
          'echo looked',
        ].join('; '),
      },
    ]),
  )
}, 240_000)

afterAll(async () => {
  await suite.stop()
})

describe('sandbox.mount', () => {
  it('still copies the project in (the premise)', () => {
    const out = stdoutOf(run.tools.look)
    expect(out).toContain('hello')
    expect(out).toContain('looked')
  })

  it('shows no bind of the project to the session: .qwen/.env and excluded files are nowhere inside', () => {
    const result = run.tools.look ?? ''
    expect(result).not.toContain(ENV_SECRET)
    expect(result).not.toContain(EXCLUDED_SECRET)
    expect(result).not.toContain(IGNORED_SECRET)
    expect(stdoutOf(result)).toMatch(/^0$/m)
  })

  it('leaves no helper container behind', async () => {
    const all = await containersOf(project)
    const roles = await Promise.all(
      all.map(async (id) =>
        (
          await exec('docker', ['inspect', '-f', '{{index .Config.Labels "dev.sandbox-agent.role"}}', id])
        ).stdout.trim(),
      ),
    )
    expect(roles.filter((role) => role === 'copy-helper')).toEqual([])
    expect(run.final?.subtype).toBe('success')
  })
})
