// sandbox.maxApplyFiles: past the limit nothing at all is applied, one line says why, and the sandbox is kept.
import fs from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CliResult} from '../e2e/helpers/run-cli.js'
import {AttackSuite, shellCall} from './helpers/attack-run.js'

const suite = new AttackSuite()
let project: string
let run: CliResult
let apply: CliResult
let sessionId = ''

beforeAll(async () => {
  await suite.start()
  // A project may lower the limit even when it is not trusted.
  project = suite.project({'README.md': 'readme\n'}, {maxApplyFiles: 20})
  suite.server.setScript([
    {
      toolCalls: [
        shellCall({
          id: 'many',
          command: 'echo changed > README.md && mkdir many && for i in $(seq 1 40); do echo $i > many/$i.txt; done',
        }),
      ],
    },
    {text: 'done'},
  ])
  run = await suite.cli(['run', '-o', 'text', '--approval-mode', 'yolo', '--apply', 'make many files'], project)
  sessionId = /agent diff ([0-9a-zA-Z-]+)/.exec(run.stderr)?.[1] ?? ''
  apply = await suite.cli(['apply', sessionId, '--discard'], project)
}, 300_000)

afterAll(() => suite.stop())

describe('sandbox.maxApplyFiles (agent run --apply, agent apply; real container)', () => {
  it('applies nothing at all past the limit', () => {
    expect(fs.readFileSync(path.join(project, 'README.md'), 'utf8')).toBe('readme\n')
    expect(fs.existsSync(path.join(project, 'many'))).toBe(false)
  })

  it('says so in one line naming the count, the limit and what to do, and keeps the sandbox', () => {
    const line =
      /The sandbox changed 42 entries, more than sandbox\.maxApplyFiles \(20\): nothing was applied\. Remove what should not be applied in the sandbox, or raise sandbox\.maxApplyFiles/
    expect(run.stderr).toMatch(line)
    expect(run.stderr).toMatch(/42 files changed/)
    expect(run.exitCode).toBe(1)
    expect(sessionId).not.toBe('')
    expect(apply.stdout).toMatch(line)
    expect(apply.exitCode).toBe(1)
    expect(fs.existsSync(path.join(project, 'many'))).toBe(false)
  })
})
