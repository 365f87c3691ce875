// The apply policy's verdicts: .git anywhere refused, sensitive paths, modes, and links resolved through the final tree.
import {describe, expect, it} from 'vitest'

import type {ChangeSet, FileChange} from '../types.js'
import {judgeChanges, needsSecondConfirmation, resolveLink, type BaseEntry} from './apply-policy.js'
import {hooksPathsIn} from './git-hooks-dirs.js'
import {sensitiveReason} from './sensitive-paths.js'

const file = (path: string, extra: Partial<FileChange> = {}): FileChange => ({
  path,
  kind: 'added',
  entryType: 'file',
  binary: false,
  mode: 0o644,
  ...extra,
})
const link = (path: string, linkTarget: string, kind: FileChange['kind'] = 'added'): FileChange => ({
  path,
  kind,
  entryType: 'symlink',
  binary: false,
  linkTarget,
})

function judge(changes: FileChange[], base: Record<string, BaseEntry> = {}, hooksDirs: string[] = []) {
  const set: ChangeSet = {sessionId: 's', changes}
  const judged = judgeChanges(set, {base: new Map(Object.entries(base)), hooksDirs})
  return Object.fromEntries(judged.changes.map((change) => [change.path, change.verdict]))
}

describe('judgeChanges', () => {
  it('refuses .git as a component anywhere, in any case and in the forms other file systems fold to it', () => {
    const verdicts = judge(
      [
        '.git/config',
        'src/.git/config',
        'a/b/.GIT/hooks/pre-commit',
        'sub/.git',
        'x/.Git',
        'y/.git./config',
        'z/.g\u200cit',
        'GIT~1/config',
      ].map((p) => file(p)),
    )
    for (const [rel, verdict] of Object.entries(verdicts)) expect(verdict?.refused, rel).toMatch(/\.git/)
    expect(judge([file('src/.github/x'), file('my.git/x'), file('.gitignore')])).toEqual({
      'src/.github/x': {},
      'my.git/x': {},
      '.gitignore': {},
    })
  })

  it('marks sensitive paths, at any depth and in any case, and the configured hooks directory', () => {
    const paths = [
      '.qwen/settings.json',
      '.env',
      '.env.production',
      'api/.envrc',
      '.vscode/tasks.json',
      '.VSCode/settings.json',
      '.idea/workspace.xml',
      '.github/workflows/ci.yml',
      '.gitattributes',
      'lib/.gitmodules',
      '.githooks/pre-commit',
      '.husky/pre-push',
      '.npmrc',
      '.pypirc',
      'scripts/hooks/pre-commit',
    ]
    const verdicts = judge(
      paths.map((p) => file(p)),
      {},
      ['scripts/hooks'],
    )
    for (const rel of paths) expect(verdicts[rel]?.sensitive, rel).toBeTruthy()
    expect(judge([file('.github/ISSUE_TEMPLATE.md'), file('src/env.ts'), file('scripts/build.sh')])).toEqual({
      '.github/ISSUE_TEMPLATE.md': {},
      'src/env.ts': {},
      'scripts/build.sh': {},
    })
  })

  it('reports mode changes, new executable bits and new group/world-writable bits', () => {
    const verdicts = judge([
      file('run.sh', {kind: 'modified', mode: 0o755, previousMode: 0o644}),
      file('new.sh', {mode: 0o755}),
      file('open.txt', {kind: 'modified', mode: 0o666, previousMode: 0o644}),
      file('dir', {entryType: 'directory', mode: 0o777}),
      file('same.txt', {kind: 'modified', mode: 0o644, previousMode: 0o644}),
      file('was-open.txt', {kind: 'modified', mode: 0o666, previousMode: 0o666}),
    ])
    expect(verdicts['run.sh']).toEqual({modeChange: {from: 0o644, to: 0o755}, gainsExec: true})
    expect(verdicts['new.sh']).toEqual({gainsExec: true})
    expect(verdicts['open.txt']).toEqual({modeChange: {from: 0o644, to: 0o666}, writable: true})
    expect(verdicts.dir).toEqual({writable: true})
    expect(verdicts['same.txt']).toEqual({})
    expect(verdicts['was-open.txt']).toEqual({})
  })

  it('resolves links through the final tree: a chain of relative links climbing out is refused', () => {
    const changes = [link('l', '.'), link('u1', 'l/..')]
    for (let i = 2; i <= 15; i += 1) changes.push(link(`u${i}`, `u${i - 1}/..`))
    changes.push(link('notes.txt', 'u15/root/.bashrc'))
    const verdicts = judge(changes)
    expect(verdicts.l).toEqual({resolvesTo: '.'})
    expect(verdicts['notes.txt']?.refused).toMatch(/outside the project/)
    expect(verdicts.u1?.refused).toMatch(/outside the project/)
  })

  it('follows the links already in the project, and refuses links into .git or looping', () => {
    const base: Record<string, BaseEntry> = {
      home: {type: 'l', mode: 0o777, link: '/home/user'},
      sub: {type: 'd', mode: 0o755},
    }
    const verdicts = judge(
      [
        link('a', 'home/.bashrc'),
        link('sub/b', '../.git/config'),
        link('loop1', 'loop2'),
        link('loop2', 'loop1/x'),
        link('ok', 'sub/../README.md'),
        link('.vscode', 'sub'),
        link('to-settings', '.qwen/settings.json'),
      ],
      base,
    )
    expect(verdicts.a?.refused).toMatch(/outside the project through home/)
    expect(verdicts['sub/b']?.refused).toMatch(/into \.git/)
    expect(verdicts.loop1?.refused).toMatch(/too long or looping/)
    expect(verdicts.ok).toEqual({resolvesTo: 'README.md'})
    expect(verdicts['.vscode']?.sensitive).toBeTruthy()
    expect(verdicts['to-settings']?.sensitive).toMatch(/link into agent settings/)
  })

  it('judges a link also against the host as it was, so a change held back cannot open a way out', () => {
    // With `home` changed to point inside, the final tree looks safe; the host keeps its old `home` until applied.
    const base: Record<string, BaseEntry> = {home: {type: 'l', mode: 0o777, link: '/home/user'}}
    const verdicts = judge([link('home', '.', 'modified'), link('a', 'home/.bashrc')], base)
    expect(verdicts.a?.refused).toMatch(/outside the project/)
  })

  it('lists what needs the second confirmation, never what is refused', () => {
    const set = judgeChanges(
      {sessionId: 's', changes: [file('.envrc'), file('.git/hooks/x'), file('a', {mode: 0o666}), file('b')]},
      {base: new Map()},
    )
    expect(needsSecondConfirmation(set).map((c) => c.path)).toEqual(['.envrc', 'a'])
  })

  it('refuses every change at or below a path the sandbox could not read, deletions included', () => {
    const set: ChangeSet = {
      sessionId: 's',
      changes: [
        file('locked/a.ts', {kind: 'deleted'}),
        file('locked'),
        file('secret.txt', {kind: 'modified'}),
        file('lockedness.ts'),
      ],
    }
    const judged = judgeChanges(set, {base: new Map(), unreadable: ['locked', 'secret.txt']})
    const verdicts = Object.fromEntries(judged.changes.map((c) => [c.path, c.verdict?.refused]))
    expect(verdicts).toEqual({
      'locked/a.ts': 'unreadable in the sandbox, not applied',
      locked: 'unreadable in the sandbox, not applied',
      'secret.txt': 'unreadable in the sandbox, not applied',
      'lockedness.ts': undefined,
    })
  })
})

describe('resolveLink', () => {
  it('treats `link/..` as the parent of what the link points to, as the kernel does', () => {
    const tree = new Map([['deep', {type: 'symlink' as const, link: 'a/b/c'}]])
    expect(resolveLink('x', 'deep/..', tree)).toEqual({resolved: 'a/b'})
    expect(resolveLink('x', '/etc/passwd', tree)).toEqual({problem: expect.stringMatching(/absolute/)})
  })
})

describe('hooks paths in git config', () => {
  it('reads core.hooksPath in any case and quoting', () => {
    expect(hooksPathsIn('[core]\n\tbare = false\n\thooksPath = .config/hooks\n[user]\n\thookspath = no\n')).toEqual([
      '.config/hooks',
    ])
    expect(hooksPathsIn('[Core]\nHooksPath = "my hooks" # comment\n')).toEqual(['my hooks'])
    expect(sensitiveReason('my hooks/pre-commit', ['my hooks'])).toMatch(/hooksPath/)
  })
})
