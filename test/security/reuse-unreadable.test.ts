// --reuse after the agent made part of the idle workspace unreadable (chmod 000 on a folder of its own and on project
// folders and files): the warm container is still reused, and the refreshed workspace is the project again.
import fs from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AttackSuite, outputOf, stdoutOf} from './helpers/attack-run.js'
import {reuseTwice, type ReusedRuns} from './helpers/reuse-twice.js'

const suite = new AttackSuite()
let project: string
let runs: ReusedRuns

/** Runs after the first run has ended (so that run has no change and leaves its container idle for the next). */
const LOCK_LATER = `setsid bash -c '${[
  'sleep 3',
  'mkdir -p /workspace/locked/inner',
  'echo x > /workspace/locked/inner/f',
  'chmod 000 /workspace/locked/inner /workspace/locked /workspace/src/deep /workspace/src /workspace/README.md',
].join('; ')}' </dev/null >/dev/null 2>&1 &`

beforeAll(async () => {
  await suite.start()
  project = suite.project({'README.md': 'hello\n', 'src/a.txt': 'a\n', 'src/deep/b.txt': 'b\n'})
  runs = await reuseTwice(suite, project, {
    plant: {id: 'lock', command: `${LOCK_LATER} echo armed`},
    // Long enough for the folders to have been locked.
    pauseMs: 4500,
    look: [
      'cd /workspace',
      'stat -c "mode %a %n" src src/deep src/a.txt src/deep/b.txt README.md',
      'cat src/a.txt src/deep/b.txt README.md',
      'echo "locked: $(ls -d locked 2>&1)"',
    ],
  })
}, 240_000)

afterAll(async () => {
  await suite.stop()
})

describe('--reuse with unreadable folders left in the idle workspace', () => {
  it('reuses the warm container (no error, no fresh container instead)', () => {
    expect(stdoutOf(runs.first.tools.lock)).toContain('armed')
    expect(runs.first.final?.changed_files).toEqual([])
    expect(runs.before).toHaveLength(1)
    expect(runs.second.cli.stderr).not.toMatch(/^Error/m)
    expect(runs.second.final?.subtype).toBe('success')
    expect(runs.after).toEqual(runs.before)
  })

  it("refreshes the workspace to the project's files and modes, and removes the folder the project does not have", () => {
    const out = outputOf(runs.second.tools.look)
    const mode = (rel: string) => (fs.statSync(path.join(project, rel)).mode & 0o777).toString(8)
    for (const rel of ['src', 'src/deep', 'src/a.txt', 'src/deep/b.txt', 'README.md']) {
      expect(out).toContain(`mode ${mode(rel)} ${rel}\n`)
    }
    expect(out).toContain('a\nb\nhello\n')
    expect(out).toMatch(/^locked: ls: cannot access 'locked': No such file or directory$/m)
    expect(runs.second.final?.changed_files).toEqual([])
  })
})
