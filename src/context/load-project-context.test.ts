// Context files on a real file tree: Qwen Code's order, headers, imports confined to the project, caps and bad files.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {contextFileNames} from './context-limits.js'
import {loadProjectContext} from './load-project-context.js'

let root: string
let home: string
let repo: string
let project: string

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file, text)
}

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sa-context-')))
  home = path.join(root, 'home')
  repo = path.join(root, 'work', 'repo')
  project = path.join(repo, 'packages', 'app')
  fs.mkdirSync(path.join(repo, '.git'), {recursive: true})
  fs.mkdirSync(project, {recursive: true})
})
afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

const load = (limits = {}, fileNames = contextFileNames(undefined)) =>
  loadProjectContext({projectRoot: project, home, fileNames, limits})

describe('loadProjectContext', () => {
  it('reads global, ancestors down to the git root, the project, then subdirectories, each under a header', async () => {
    write(path.join(home, '.qwen', 'QWEN.md'), 'GLOBAL')
    write(path.join(root, 'work', 'QWEN.md'), 'ABOVE THE REPO (not read)')
    write(path.join(repo, 'QWEN.md'), 'REPO ROOT')
    write(path.join(repo, 'packages', 'AGENTS.md'), 'PACKAGES AGENTS')
    write(path.join(project, 'QWEN.md'), 'PROJECT QWEN')
    write(path.join(project, 'AGENTS.md'), 'PROJECT AGENTS')
    write(path.join(project, 'src', 'QWEN.md'), 'SRC')
    write(path.join(project, 'node_modules', 'x', 'QWEN.md'), 'DEPENDENCY (not read)')
    write(path.join(project, 'build', 'QWEN.md'), 'IGNORED (not read)')
    write(path.join(project, '.gitignore'), 'build/\n')

    const context = await load()
    expect(context.files.map((file) => [file.display, file.scope])).toEqual([
      ['~/.qwen/QWEN.md', 'global'],
      [path.join(repo, 'QWEN.md'), 'ancestor'],
      [path.join(repo, 'packages', 'AGENTS.md'), 'ancestor'],
      ['QWEN.md', 'project'],
      ['AGENTS.md', 'project'],
      ['src/QWEN.md', 'subdirectory'],
    ])
    expect(context.text).toContain(
      '--- Context from: ~/.qwen/QWEN.md ---\nGLOBAL\n--- End of Context from: ~/.qwen/QWEN.md ---',
    )
    expect(context.text).toContain('--- Context from: src/QWEN.md ---\nSRC\n--- End of Context from: src/QWEN.md ---')
    expect(context.text).not.toMatch(/not read/)
    expect(context.notices).toEqual([])
  })

  it('context.fileName replaces the default names', async () => {
    write(path.join(project, 'QWEN.md'), 'QWEN')
    write(path.join(project, 'CONTEXT.md'), 'CUSTOM')
    const context = await load({}, contextFileNames('CONTEXT.md'))
    expect(context.files.map((file) => file.display)).toEqual(['CONTEXT.md'])
  })

  it('expands @ imports inside the project, nested, but not in code and not outside the project', async () => {
    write(path.join(project, 'docs', 'style.md'), 'STYLE RULES\n@./more.md')
    write(path.join(project, 'docs', 'more.md'), 'MORE RULES')
    write(path.join(root, 'secret.md'), 'HOST SECRET')
    fs.symlinkSync(path.join(root, 'secret.md'), path.join(project, 'link.md'))
    write(
      path.join(project, 'QWEN.md'),
      [
        'Intro',
        '@./docs/style.md',
        '`@./docs/more.md` stays',
        '```',
        '@./docs/more.md',
        '```',
        `@${path.join(root, 'secret.md')}`,
        '@./link.md',
        '@../../../../secret.md',
      ].join('\n'),
    )
    const context = await load()
    expect(context.text).toContain(
      '<!-- Imported from: ./docs/style.md -->\nSTYLE RULES\n<!-- Imported from: ./more.md -->\nMORE RULES',
    )
    expect(context.text).toContain('`@./docs/more.md` stays')
    expect(context.text).toContain('```\n@./docs/more.md\n```')
    expect(context.text).not.toContain('HOST SECRET')
    expect(context.text.match(/<!-- Import failed: .* - outside the project -->/g)).toHaveLength(3)
    expect(context.notices.filter((line) => line.includes('outside the project'))).toHaveLength(3)
  })

  it('refuses circular imports and stops at the depth limit', async () => {
    write(path.join(project, 'a.md'), 'A\n@./b.md')
    write(path.join(project, 'b.md'), 'B\n@./a.md')
    write(path.join(project, 'QWEN.md'), '@./a.md')
    const context = await load()
    expect(context.text).toContain('<!-- Import failed: ./a.md - circular import -->')
    const deep = await load({maxImportDepth: 1})
    expect(deep.text).toContain('<!-- Import failed: ./b.md - imports nested deeper than 1 -->')
  })

  it('cuts a huge file and keeps within the total, saying what was cut and left out', async () => {
    write(path.join(project, 'QWEN.md'), 'x'.repeat(5_000_000))
    write(path.join(project, 'AGENTS.md'), 'AGENTS')
    write(path.join(project, 'src', 'QWEN.md'), 'SRC')
    const context = await load({maxFileChars: 1000, maxTotalChars: 1003})
    expect(context.files[0]).toMatchObject({display: 'QWEN.md', chars: 1000, cut: true})
    expect(context.text).toContain('[... cut: the rest of this file was left out]')
    expect(context.notices).toContain('Context file QWEN.md cut to 1000 characters (it has 5000000 bytes)')
    expect(context.notices).toContain('Context file AGENTS.md cut to fit the 1003-character total')
    expect(context.notices).toContain('Context files left out (over the 1003-character total): src/QWEN.md')
  })

  it('an unreadable context file is one notice naming it; the others are read', async () => {
    fs.mkdirSync(path.join(project, 'QWEN.md'))
    fs.symlinkSync(path.join(root, 'missing.md'), path.join(project, 'AGENTS.md'))
    write(path.join(project, 'src', 'QWEN.md'), 'SRC')
    const context = await load()
    expect(context.notices).toEqual([
      'Context file QWEN.md not read: it is a directory',
      'Context file AGENTS.md not read: no such file',
    ])
    expect(context.files.map((file) => file.display)).toEqual(['src/QWEN.md'])
  })

  it('searches at most discoveryMaxDirs directories below the project and says so', async () => {
    for (const name of ['a', 'b', 'c']) write(path.join(project, name, 'QWEN.md'), name.toUpperCase())
    const context = await load({maxDirs: 2})
    expect(context.files.map((file) => file.display)).toEqual(['a/QWEN.md', 'b/QWEN.md'])
    expect(context.notices).toEqual([
      'Context files: searched only the first 2 directories below the project (context.discoveryMaxDirs)',
    ])
  })
})
