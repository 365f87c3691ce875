// The apply policy end to end: `.git` anywhere is never applied, sensitive files wait for --apply-sensitive, a chain
// of relative links that climbs out is refused, and mode changes are shown (0777 never applied silently).
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CliResult} from '../e2e/helpers/run-cli.js'
import {AttackSuite, containersOf, shellCall} from './helpers/attack-run.js'

const suite = new AttackSuite()
let project: string
let run: CliResult
let diff: CliResult
let applySensitive: CliResult
let sessionId = ''
const marker = path.join(os.tmpdir(), `sandbox-agent-fsmonitor-${process.pid}-${Date.now()}`)

const SENSITIVE = [
  '.vscode/tasks.json',
  '.envrc',
  '.env.local',
  '.github/workflows/ci.yml',
  '.husky/pre-commit',
  'tools/hooks/pre-commit',
  '.qwen/settings.json',
  '.npmrc',
]

function chain(): string {
  const links = ['ln -s . l', 'ln -s l/.. u1']
  for (let i = 2; i <= 15; i += 1) links.push(`ln -s u${i - 1}/.. u${i}`)
  links.push('ln -s u15/root/.bashrc notes.txt')
  return links.join(' && ')
}

beforeAll(async () => {
  await suite.start()
  project = suite.project({'README.md': 'hello\n', 'run.sh': 'echo hi\n', 'data.txt': 'data\n', 'src/a.ts': 'a\n'})
  fs.chmodSync(path.join(project, 'run.sh'), 0o644)
  fs.chmodSync(path.join(project, 'data.txt'), 0o644)
  // The user's own repository, with hooks in a directory of its choosing.
  execFileSync('git', ['init', '-q', project])
  execFileSync('git', ['-C', project, 'config', 'core.hooksPath', 'tools/hooks'])
  suite.server.setScript([
    {
      toolCalls: [
        shellCall({
          id: 'git',
          command: [
            `git init -q src && git -C src config core.fsmonitor 'touch ${marker}; false'`,
            `mkdir -p .GIT && echo '[core]' > .GIT/config`,
            `mkdir -p sub && echo 'gitdir: ../src/.git' > sub/.git`,
          ].join(' && '),
        }),
        shellCall({
          id: 'sensitive',
          command: SENSITIVE.map((file) => `mkdir -p "$(dirname ${file})" && echo planted > ${file}`).join(' && '),
        }),
        shellCall({id: 'chain', command: chain()}),
        shellCall({
          id: 'modes',
          command: 'chmod 755 run.sh && chmod 666 data.txt && mkdir shared && chmod 777 shared && echo ok > fixed.txt',
        }),
      ],
    },
    {text: 'done'},
  ])
  run = await suite.cli(['run', '-o', 'text', '--approval-mode', 'yolo', '--apply', 'attack'], project)
  sessionId = /agent diff ([0-9a-zA-Z-]+)/.exec(run.stderr)?.[1] ?? ''
  diff = await suite.cli(['diff', sessionId], project)
  applySensitive = await suite.cli(['apply', sessionId, '--apply-sensitive', '--discard'], project)
}, 300_000)

afterAll(async () => {
  fs.rmSync(marker, {force: true})
  await suite.stop()
})

describe('the apply policy (agent run --apply, agent diff, agent apply --apply-sensitive; real container)', () => {
  it('applied the harmless change and kept the session for the held-back ones', () => {
    expect(fs.readFileSync(path.join(project, 'fixed.txt'), 'utf8')).toBe('ok\n')
    expect(run.exitCode).toBe(1)
    expect(sessionId).not.toBe('')
    expect(run.stderr).toContain(`agent apply ${sessionId} --apply-sensitive`)
  })

  it('never applies .git as a path component, in any case, nor a gitdir pointer; git status runs nothing', () => {
    expect(run.stderr).toMatch(/A src\/\.git\/config \(REFUSED: changes to \.git/)
    expect(run.stderr).toMatch(/A \.GIT\/config \(REFUSED: changes to \.git/)
    expect(run.stderr).toMatch(/A sub\/\.git \(REFUSED: changes to \.git/)
    for (const rel of ['src/.git', '.GIT', 'sub/.git']) expect(fs.existsSync(path.join(project, rel)), rel).toBe(false)
    execFileSync('git', ['-C', path.join(project, 'src'), 'status', '--short'])
    execFileSync('git', ['-C', path.join(project, 'sub'), 'status', '--short'])
    expect(fs.existsSync(marker)).toBe(false)
  })

  it('holds sensitive files back without --apply-sensitive, marking them in the summary and the diff', () => {
    for (const rel of SENSITIVE) {
      expect(run.stderr, rel).toContain(`A ${rel} (SENSITIVE: `)
      expect(diff.stdout + diff.stderr, rel).toMatch(new RegExp(`${rel.replaceAll('.', '\\.')}.*SENSITIVE`))
    }
    expect(run.stderr).toContain('tools/hooks/pre-commit (SENSITIVE: git hooks (core.hooksPath))')
    expect(run.stderr).toMatch(/Held back \d+ sensitive changes/)
  })

  it('applies them with the second flag', () => {
    for (const rel of SENSITIVE) expect(fs.readFileSync(path.join(project, rel), 'utf8'), rel).toBe('planted\n')
    expect(applySensitive.stdout).not.toMatch(/Held back/)
  })

  it('refuses a chain of relative links that climbs out of the project, one link at a time', () => {
    expect(run.stderr).toMatch(/A notes\.txt \(REFUSED: symlink resolves outside the project/)
    expect(run.stderr).toMatch(/A u15 \(REFUSED: symlink resolves outside the project/)
    expect(fs.existsSync(path.join(project, 'notes.txt'))).toBe(false)
    for (let i = 1; i <= 15; i += 1) expect(fs.existsSync(path.join(project, `u${i}`)), `u${i}`).toBe(false)
    // The harmless link of the chain is applied, and shown with where it resolves.
    expect(fs.readlinkSync(path.join(project, 'l'))).toBe('.')
    expect(run.stderr).toContain('A l (-> .)')
  })

  it('shows every mode change and never applies group/world-writable bits silently', () => {
    expect(run.stderr).toContain('M run.sh (mode 644 -> 755, EXECUTABLE)')
    expect(run.stderr).toContain('M data.txt (mode 644 -> 666, GROUP/WORLD-WRITABLE)')
    expect(run.stderr).toMatch(/A shared \(directory, mode 777, GROUP\/WORLD-WRITABLE\)/)
    expect(fs.statSync(path.join(project, 'run.sh')).mode & 0o777).toBe(0o755)
    expect(fs.statSync(path.join(project, 'data.txt')).mode & 0o777).toBe(0o644)
    expect(fs.statSync(path.join(project, 'shared')).mode & 0o777).toBe(0o755)
    expect(run.stderr).toMatch(/Applied without group\/world-writable bits/)
  })

  it('removed the session once told to', async () => {
    expect(await containersOf(project)).toEqual([])
  })
})
