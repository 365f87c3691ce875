// Copy-back from a hostile sandbox, end to end: `agent run --apply` after the workspace was turned into a trap never
// writes outside the project, never more than sandbox.maxApplyBytes, and reports every entry it refused.
import fs from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AttackSuite, attackScript, containersOf, outputOf, type AttackRun} from './helpers/attack-run.js'

const suite = new AttackSuite()
let project: string
let run: AttackRun
let outside: string
let before: Map<string, string>

/** Every path under `dir` (not following links) with its type, size and mode: a fingerprint to compare. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (at: string) => {
    for (const name of fs.readdirSync(at)) {
      const full = path.join(at, name)
      const stat = fs.lstatSync(full)
      out.set(path.relative(dir, full), `${stat.mode.toString(8)} ${stat.size} ${stat.mtimeMs}`)
      if (stat.isDirectory()) walk(full)
    }
  }
  walk(dir)
  return out
}

function treeBytes(dir: string): number {
  let total = 0
  for (const [, entry] of snapshot(dir)) total += Number(entry.split(' ')[1])
  return total
}

beforeAll(async () => {
  await suite.start()
  // Something outside the project the sandbox would love to reach: a directory next to it (a stand-in for ~).
  project = suite.project({'README.md': 'hello\n', 'config.json': '{}\n'}, {maxApplyBytes: '1m'})
  outside = suite.project({'.bashrc': 'echo safe\n', '.ssh/authorized_keys': 'ssh-ed25519 AAAA user\n'})
  // The project itself links out (a symlink the user made): the sandbox swaps it for a directory and writes into it.
  fs.symlinkSync(outside, path.join(project, 'escape'))
  before = snapshot(outside)
  run = await suite.run(
    project,
    attackScript([
      {
        id: 'trap',
        command: [
          `ln -s /etc etc-link`,
          `ln -s ~ home-link`,
          `ln -s ${outside} host-home-link`,
          `ln -s ../../../../../.. up-link`,
          `ln -s README.md readme-link`,
          `ln README.md hard-link`,
          `mknod dev-null c 1 3 2>&1 || echo mknod-refused`,
          `mkfifo a-fifo`,
          `echo '#!/bin/sh' > suid.sh && chmod 4755 suid.sh`,
          `rm config.json && mkdir config.json && echo inner > config.json/inner.txt`,
          `truncate -s 10G sparse.bin`,
          `head -c 2000000 /dev/urandom > big.bin`,
          `mkdir -p .git/hooks && printf '#!/bin/sh\\ntouch /tmp/pwned\\n' > .git/hooks/post-checkout`,
          `touch $'new\\nline' -- '-rf' '..dots'`,
          `rm escape && mkdir escape && echo pwned > escape/.bashrc`,
          `echo fixed > fixed.txt`,
          `ls -la`,
        ].join('; '),
      },
    ]),
    {args: ['--approval-mode', 'yolo', '--apply']},
  )
})

afterAll(() => suite.stop())

describe('apply from a hostile sandbox (agent run --apply, real container)', () => {
  it('could not even make a device node in the sandbox (no CAP_MKNOD)', () => {
    expect(outputOf(run.tools.trap)).toMatch(/mknod: dev-null: Operation not permitted\nmknod-refused/)
  })

  it('reports every refused entry and exits 1', async () => {
    expect(run.cli.exitCode).toBe(1)
    const applied = (run.final as {applied?: {files: string[]; refused: {path: string; reason: string}[]}}).applied
    const refused = Object.fromEntries((applied?.refused ?? []).map((r) => [r.path, r.reason]))
    expect(refused).toMatchObject({
      'etc-link': expect.stringMatching(/absolute/),
      'home-link': expect.stringMatching(/absolute/),
      'host-home-link': expect.stringMatching(/absolute/),
      'up-link': expect.stringMatching(/outside the project/),
      'a-fifo': expect.stringMatching(/fifo/),
      'sparse.bin': expect.stringMatching(/apply limit/),
      'big.bin': expect.stringMatching(/apply limit/),
      '.git/hooks/post-checkout': expect.stringMatching(/\.git/),
    })
    expect(applied?.files).toEqual(
      expect.arrayContaining(['fixed.txt', 'hard-link', 'readme-link', 'suid.sh', 'config.json/inner.txt']),
    )
    expect(await containersOf(project)).toEqual([])
  })

  it('wrote nothing outside the project and at most maxApplyBytes', () => {
    expect(snapshot(outside)).toEqual(before)
    expect(fs.existsSync('/tmp/pwned')).toBe(false)
    for (const name of ['etc-link', 'home-link', 'host-home-link', 'up-link', 'a-fifo', 'sparse.bin', 'big.bin']) {
      expect(fs.existsSync(path.join(project, name)), name).toBe(false)
    }
    expect(fs.existsSync(path.join(project, '.git'))).toBe(false)
    expect(fs.readFileSync(path.join(outside, '.bashrc'), 'utf8')).toBe('echo safe\n')
    expect(treeBytes(project)).toBeLessThan(1024 * 1024)
  })

  it('applied the harmless entries in their safe form', () => {
    expect(fs.readFileSync(path.join(project, 'fixed.txt'), 'utf8')).toBe('fixed\n')
    // A hard link arrives as a plain copy; setuid is dropped; a relative link inside the project is kept.
    expect(fs.lstatSync(path.join(project, 'hard-link')).nlink).toBe(1)
    expect(fs.statSync(path.join(project, 'suid.sh')).mode & 0o7777).toBe(0o755)
    expect(fs.readlinkSync(path.join(project, 'readme-link'))).toBe('README.md')
    // The file replaced by a directory is a directory on the host now.
    expect(fs.lstatSync(path.join(project, 'config.json')).isDirectory()).toBe(true)
    expect(fs.readFileSync(path.join(project, 'config.json', 'inner.txt'), 'utf8')).toBe('inner\n')
    // Odd names are just names.
    for (const name of ['new\nline', '-rf', '..dots']) expect(fs.existsSync(path.join(project, name)), name).toBe(true)
  })
})
