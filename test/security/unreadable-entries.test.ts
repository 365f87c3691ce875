// Entries the agent made unreadable (chmod 000) in the sandbox: named in the summary, `agent diff` and `agent apply`,
// never applied, their host copies neither changed nor deleted, and the rest of the changes applied (real container).
import fs from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CliResult} from '../e2e/helpers/run-cli.js'
import {AttackSuite, shellCall} from './helpers/attack-run.js'

const suite = new AttackSuite()
let project: string
/** A project whose sandbox has only an unreadable folder: the data-loss case on its own. */
let folderOnly: string
let folderRun: CliResult
let run: CliResult
let diff: CliResult
let apply: CliResult
let sessionId = ''

const LOCKED = {'locked/a.txt': 'a\n', 'locked/b.txt': 'b\n', 'locked/sub/c.txt': 'c\n'}

beforeAll(async () => {
  await suite.start()
  folderOnly = suite.project({...LOCKED, 'keep.txt': 'old\n'})
  suite.server.setScript([
    {toolCalls: [shellCall({id: 'lock', command: 'echo changed > keep.txt && chmod 000 locked'})]},
    {text: 'done'},
  ])
  folderRun = await suite.cli(['run', '-o', 'text', '--approval-mode', 'yolo', '--apply', 'lock a folder'], folderOnly)
  project = suite.project({...LOCKED, 'secret.txt': 'secret\n', 'keep.txt': 'old\n', 'README.md': 'readme\n'})
  suite.server.setScript([
    {
      toolCalls: [
        shellCall({
          id: 'lock',
          command: [
            'echo changed > keep.txt',
            'echo new > added.txt',
            'rm README.md',
            'echo more >> secret.txt',
            'chmod 000 secret.txt',
            'echo planted > locked/planted.txt',
            'chmod 000 locked',
          ].join(' && '),
        }),
      ],
    },
    {text: 'done'},
  ])
  run = await suite.cli(['run', '-o', 'text', '--approval-mode', 'yolo', '--apply', 'lock things'], project)
  sessionId = /agent diff ([0-9a-zA-Z-]+)/.exec(run.stderr)?.[1] ?? ''
  diff = await suite.cli(['diff', sessionId], project)
  apply = await suite.cli(['apply', sessionId, '--keep'], project)
  await suite.cli(['discard', sessionId], project)
}, 300_000)

afterAll(() => suite.stop())

describe('unreadable entries in the sandbox (agent run --apply, agent diff, agent apply; real container)', () => {
  it('lists the changes instead of failing the run', () => {
    expect(run.stderr).not.toMatch(/The sandbox stopped/)
    expect(run.stderr).toMatch(/M keep\.txt/)
    expect(sessionId).not.toBe('')
  })

  it("never deletes or changes the host copies of an unreadable folder's files, nor the folder", () => {
    // The folder alone (first project) used to be listed as emptied: its files were deleted on the host.
    for (const dir of [folderOnly, project]) {
      for (const [rel, content] of Object.entries(LOCKED))
        expect(fs.readFileSync(path.join(dir, rel), 'utf8'), rel).toBe(content)
      expect(fs.statSync(path.join(dir, 'locked')).mode & 0o777).toBe(0o755)
    }
    expect(fs.existsSync(path.join(project, 'locked/planted.txt'))).toBe(false)
    for (const rel of Object.keys(LOCKED)) expect(folderRun.stderr).not.toContain(`D ${rel}`)
    expect(folderRun.stderr).toMatch(/\? locked \(unreadable in the sandbox, not applied/)
    expect(fs.readFileSync(path.join(folderOnly, 'keep.txt'), 'utf8')).toBe('changed\n')
  })

  it('leaves the host copy of an unreadable file as it was', () => {
    expect(fs.readFileSync(path.join(project, 'secret.txt'), 'utf8')).toBe('secret\n')
    expect(fs.statSync(path.join(project, 'secret.txt')).mode & 0o777).toBe(0o644)
  })

  it('applies the rest', () => {
    expect(fs.readFileSync(path.join(project, 'keep.txt'), 'utf8')).toBe('changed\n')
    expect(fs.readFileSync(path.join(project, 'added.txt'), 'utf8')).toBe('new\n')
    expect(fs.existsSync(path.join(project, 'README.md'))).toBe(false)
  })

  it('names each unreadable entry in the summary, keeps the sandbox and says so', () => {
    expect(run.stderr).toMatch(/\? locked \(unreadable in the sandbox, not applied, its contents unknown/)
    expect(run.stderr).toMatch(/\? secret\.txt \(unreadable in the sandbox, not applied; the host copy is left/)
    expect(run.stderr).toMatch(/Not applied, unreadable in the sandbox[^\n]*:\n\s+locked\n\s+secret\.txt/)
    expect(run.stderr).toContain(`agent apply ${sessionId}`)
    expect(run.exitCode).toBe(1)
  })

  it('agent diff and agent apply name them too, and apply still deletes nothing there', () => {
    expect(diff.exitCode).toBe(0)
    expect(diff.stdout).toMatch(/# \? locked \(unreadable in the sandbox, not applied/)
    expect(diff.stderr).toMatch(/\? secret\.txt \(unreadable in the sandbox, not applied/)
    expect(apply.stdout).toMatch(/Not applied, unreadable in the sandbox[^\n]*:\n\s+locked\n\s+secret\.txt/)
    for (const [rel, content] of Object.entries(LOCKED))
      expect(fs.readFileSync(path.join(project, rel), 'utf8'), rel).toBe(content)
    expect(fs.readFileSync(path.join(project, 'secret.txt'), 'utf8')).toBe('secret\n')
  })
})
