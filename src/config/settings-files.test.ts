// Settings loading: user + project merge (project wins, arrays replaced), comments, and one-line errors for broken files.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {UserInputError} from '../errors.js'
import {loadSettings, readSettingsFile} from './settings-files.js'

let root: string
let home: string
let project: string

function write(dir: string, content: string): string {
  const file = path.join(dir, '.qwen', 'settings.json')
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file, content)
  return file
}

function errorOf(fn: () => unknown): UserInputError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError)
    return error as UserInputError
  }
  throw new Error('expected an error')
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-'))
  home = path.join(root, 'home')
  project = path.join(root, 'project')
  fs.mkdirSync(home)
  fs.mkdirSync(project)
})
afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

describe('loadSettings', () => {
  it('gives defaults when neither file exists', () => {
    const {settings, files} = loadSettings({projectRoot: project, home})
    expect(files).toEqual([])
    expect(settings.sandbox.network).toBe('none')
    expect(settings.tools.shell.pager).toBe('cat')
    expect(settings.advanced.excludedEnvVars).toEqual(['DEBUG', 'DEBUG_MODE'])
  })

  it('merges key by key with the project winning, and replaces arrays', () => {
    const user = write(
      home,
      JSON.stringify({
        model: {name: 'user-model', timeout: 5000},
        tools: {core: ['run_shell_command(git)', 'run_shell_command(npm)'], exclude: ['run_shell_command(rm)']},
        sandbox: {cpus: 4, memory: '1g'},
      }),
    )
    const proj = write(
      project,
      JSON.stringify({
        model: {name: 'project-model'},
        tools: {core: ['run_shell_command(ls)']},
        sandbox: {memory: '512m'},
      }),
    )
    const {settings, files} = loadSettings({projectRoot: project, home})
    expect(files).toEqual([user, proj])
    expect(settings.model.name).toBe('project-model')
    expect(settings.model.timeout).toBe(5000)
    expect(settings.tools.core).toEqual(['run_shell_command(ls)'])
    expect(settings.tools.exclude).toEqual(['run_shell_command(rm)'])
    expect(settings.sandbox.cpus).toBe(4)
    expect(settings.sandbox.memory).toBe(512 * 1024 ** 2)
  })

  it('keeps unknown keys (shared with Qwen Code)', () => {
    write(project, JSON.stringify({ui: {theme: 'dark'}, tools: {shell: {somethingNew: 1}}}))
    const {settings} = loadSettings({projectRoot: project, home})
    expect(settings.ui).toEqual({theme: 'dark'})
    expect(settings.tools.shell).toMatchObject({somethingNew: 1, pager: 'cat'})
  })

  it("accepts Qwen Code's own values: sandbox as boolean, maxSessionTurns -1, security.auth", () => {
    write(
      home,
      JSON.stringify({sandbox: true, model: {maxSessionTurns: -1}, security: {auth: {selectedType: 'openai'}}}),
    )
    const {settings} = loadSettings({projectRoot: project, home})
    expect(settings.sandbox.network).toBe('none')
    expect(settings.security.auth.selectedType).toBe('openai')
  })

  it('allows comments, as Qwen Code does', () => {
    write(project, '{\n  // the model\n  "model": {"name": "a // not a comment"} /* trailing */\n}\n')
    expect(loadSettings({projectRoot: project, home}).settings.model.name).toBe('a // not a comment')
  })

  it('treats an empty file as an empty object', () => {
    write(project, '  \n')
    expect(loadSettings({projectRoot: project, home}).settings.model).toEqual({})
  })

  it('reads a single file once when the project is the home directory', () => {
    write(home, '{"model": {"name": "x"}}')
    expect(loadSettings({projectRoot: home, home}).files).toHaveLength(1)
  })

  it('ignores __proto__ keys instead of polluting prototypes', () => {
    write(home, '{"__proto__": {"polluted": true}, "model": {"name": "m"}}')
    write(project, '{"__proto__": {"polluted": true}}')
    const {settings} = loadSettings({projectRoot: project, home})
    expect(settings.model.name).toBe('m')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('broken settings files', () => {
  it('names the file, the key path, what was expected and what was found', () => {
    const file = write(project, JSON.stringify({sandbox: {memory: 'lots'}}))
    const error = errorOf(() => loadSettings({projectRoot: project, home}))
    expect(error.message).toBe(
      `Invalid settings in ${file}: sandbox.memory: expected a size such as "512m" or "2g" (got "lots")`,
    )
    expect(error.exitCode).toBe(2)
    expect(error.oneLine()).not.toContain('\n')
  })

  it('reports the wrong type of a size', () => {
    const file = write(home, JSON.stringify({sandbox: {memory: true}}))
    expect(errorOf(() => loadSettings({projectRoot: project, home})).message).toBe(
      `Invalid settings in ${file}: sandbox.memory: expected a size such as "512m" or "2g" (got true)`,
    )
  })

  it('names array items by index', () => {
    const file = write(project, JSON.stringify({tools: {core: ['run_shell_command(git)', 5]}}))
    expect(errorOf(() => loadSettings({projectRoot: project, home})).message).toBe(
      `Invalid settings in ${file}: tools.core[1]: expected a string (got 5)`,
    )
  })

  it('lists the allowed values of an enum', () => {
    const file = write(project, JSON.stringify({sandbox: {network: 'host'}}))
    expect(errorOf(() => loadSettings({projectRoot: project, home})).message).toBe(
      `Invalid settings in ${file}: sandbox.network: expected "none", "bridge" or {"allow": [hosts]} (got "host")`,
    )
  })

  it('gives bounds of numbers', () => {
    const file = write(project, JSON.stringify({sandbox: {pids: 3}}))
    expect(errorOf(() => loadSettings({projectRoot: project, home})).message).toBe(
      `Invalid settings in ${file}: sandbox.pids: expected a number >= 16 (got 3)`,
    )
  })

  it('blames the file that is wrong, even when the other is fine', () => {
    write(home, JSON.stringify({tools: {exclude: ['run_shell_command(rm)']}}))
    const file = write(project, JSON.stringify({tools: {shell: {pager: 7}}}))
    expect(errorOf(() => loadSettings({projectRoot: project, home})).message).toContain(
      `in ${file}: tools.shell.pager: expected a string (got 7)`,
    )
  })

  it('gives line and column of a JSON syntax error', () => {
    const file = write(project, '{\n  "model": {\n    "name": "x",\n  }\n}\n')
    const error = errorOf(() => readSettingsFile(file))
    expect(error.message).toMatch(
      new RegExp(
        `^Invalid settings in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 4, column 3: .+ \\(not valid JSON\\)$`,
      ),
    )
  })

  it('reports truncated JSON at its end', () => {
    const file = write(project, '{\n  "model": ')
    expect(errorOf(() => readSettingsFile(file)).message).toContain('line 2, column')
  })

  it('refuses a top level that is not an object', () => {
    const file = write(project, '[1, 2]')
    expect(errorOf(() => readSettingsFile(file)).message).toBe(
      `Invalid settings in ${file}: expected a JSON object at the top level`,
    )
  })

  it('counts further problems without listing them', () => {
    write(project, JSON.stringify({sandbox: {pids: 3, cpus: -1}}))
    expect(errorOf(() => loadSettings({projectRoot: project, home})).message).toMatch(/\(and 1 more problem\)$/)
  })
})
