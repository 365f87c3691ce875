// .env discovery exactly per the authentication spec: search order, first file only, existing variables win, exclusions.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {envFileCandidates, findEnvFile, loadEnvironment} from './env-file.js'

let root: string
let home: string
let project: string
let cwd: string

function put(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file, content)
  return file
}

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'envfile-')))
  home = path.join(root, 'home')
  project = path.join(root, 'work', 'project')
  cwd = path.join(project, 'src', 'deep')
  fs.mkdirSync(home, {recursive: true})
  fs.mkdirSync(cwd, {recursive: true})
})
afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

describe('search order', () => {
  it('walks from cwd up to /, .qwen/.env before .env in each directory, then ~/.qwen/.env and ~/.env', () => {
    const list = envFileCandidates('/a/b', '/home/u').map((c) => `${c.kind}:${c.path}`)
    expect(list).toEqual([
      'qwen:/a/b/.qwen/.env',
      'plain:/a/b/.env',
      'qwen:/a/.qwen/.env',
      'plain:/a/.env',
      'qwen:/.qwen/.env',
      'plain:/.env',
      'qwen:/home/u/.qwen/.env',
      'plain:/home/u/.env',
    ])
  })

  it('takes the first file found and nothing else', () => {
    const present = new Set(['/a/.env', '/a/b/.qwen/.env', '/home/u/.qwen/.env'])
    expect(findEnvFile('/a/b', '/home/u', (f) => present.has(f))?.path).toBe('/a/b/.qwen/.env')
  })

  it('prefers .qwen/.env over .env in the same directory', () => {
    put(path.join(cwd, '.env'), 'A=plain\n')
    put(path.join(cwd, '.qwen', '.env'), 'A=qwen\n')
    expect(loadEnvironment({cwd, home, env: {}}).env.A).toBe('qwen')
  })

  it('prefers a nearer plain .env over a farther .qwen/.env', () => {
    put(path.join(cwd, '.env'), 'A=near\n')
    put(path.join(project, '.qwen', '.env'), 'A=far\n')
    const loaded = loadEnvironment({cwd, home, env: {}})
    expect(loaded.env.A).toBe('near')
    expect(loaded.file).toEqual({path: path.join(cwd, '.env'), kind: 'plain'})
  })

  it('finds a file in a parent directory', () => {
    const file = put(path.join(project, '.qwen', '.env'), 'OPENAI_API_KEY=sk-parent\n')
    const loaded = loadEnvironment({cwd, home, env: {}})
    expect(loaded.file?.path).toBe(file)
    expect(loaded.env.OPENAI_API_KEY).toBe('sk-parent')
    expect(loaded.fromFile).toEqual(['OPENAI_API_KEY'])
  })

  it('falls back to ~/.qwen/.env, then ~/.env', () => {
    put(path.join(home, '.env'), 'A=home-plain\n')
    expect(loadEnvironment({cwd, home, env: {}}).env.A).toBe('home-plain')
    put(path.join(home, '.qwen', '.env'), 'A=home-qwen\n')
    expect(loadEnvironment({cwd, home, env: {}}).env.A).toBe('home-qwen')
  })

  it('never merges files: variables only in a later file are not loaded', () => {
    put(path.join(cwd, '.env'), 'A=1\n')
    put(path.join(project, '.env'), 'B=2\n')
    put(path.join(home, '.qwen', '.env'), 'C=3\n')
    const {env} = loadEnvironment({cwd, home, env: {}})
    expect(env.A).toBe('1')
    expect(env.B).toBeUndefined()
    expect(env.C).toBeUndefined()
  })

  it('skips a directory named .env', () => {
    fs.mkdirSync(path.join(cwd, '.env'))
    put(path.join(project, '.env'), 'A=file\n')
    expect(loadEnvironment({cwd, home, env: {}}).env.A).toBe('file')
  })

  it('returns the given environment unchanged when no file exists', () => {
    const loaded = loadEnvironment({cwd, home, env: {X: '1', Y: undefined}})
    if (loaded.file) return // a stray .env above the temp dir; nothing to assert here
    expect(loaded.env).toEqual({X: '1'})
  })
})

describe('what is taken from the file', () => {
  it('lets variables already set in the environment win', () => {
    put(path.join(cwd, '.qwen', '.env'), 'OPENAI_API_KEY=from-file\nOPENAI_MODEL=m\n')
    const loaded = loadEnvironment({cwd, home, env: {OPENAI_API_KEY: 'from-env'}})
    expect(loaded.env.OPENAI_API_KEY).toBe('from-env')
    expect(loaded.env.OPENAI_MODEL).toBe('m')
    expect(loaded.ignored).toEqual([{name: 'OPENAI_API_KEY', reason: 'already-set'}])
  })

  it('counts an empty but set variable as set', () => {
    put(path.join(cwd, '.qwen', '.env'), 'A=file\n')
    expect(loadEnvironment({cwd, home, env: {A: ''}}).env.A).toBe('')
  })

  it('never takes DEBUG or DEBUG_MODE from a plain .env', () => {
    put(path.join(cwd, '.env'), 'DEBUG=1\nDEBUG_MODE=true\nOTHER=x\n')
    const loaded = loadEnvironment({cwd, home, env: {}})
    expect(loaded.env.DEBUG).toBeUndefined()
    expect(loaded.env.DEBUG_MODE).toBeUndefined()
    expect(loaded.env.OTHER).toBe('x')
    expect(loaded.ignored.map((i) => i.reason)).toEqual(['excluded', 'excluded'])
  })

  it('does not take them from ~/.env either (a plain .env), but does from ~/.qwen/.env', () => {
    put(path.join(home, '.env'), 'DEBUG=1\n')
    expect(loadEnvironment({cwd, home, env: {}}).env.DEBUG).toBeUndefined()
    put(path.join(home, '.qwen', '.env'), 'DEBUG=1\n')
    expect(loadEnvironment({cwd, home, env: {}}).env.DEBUG).toBe('1')
  })

  it('honours DEBUG and DEBUG_MODE from a project .qwen/.env', () => {
    put(path.join(project, '.qwen', '.env'), 'DEBUG=1\nDEBUG_MODE=1\n')
    const {env} = loadEnvironment({cwd, home, env: {}})
    expect(env.DEBUG).toBe('1')
    expect(env.DEBUG_MODE).toBe('1')
  })

  it('uses a custom exclusion list', () => {
    put(path.join(cwd, '.env'), 'DEBUG=1\nNODE_OPTIONS=--x\n')
    const {env} = loadEnvironment({cwd, home, env: {}, excluded: ['NODE_OPTIONS']})
    expect(env.DEBUG).toBe('1')
    expect(env.NODE_OPTIONS).toBeUndefined()
  })

  it('parses with dotenv: quotes, comments, export prefix, multi-line values', () => {
    put(path.join(cwd, '.qwen', '.env'), '# c\nexport A=1\nB="two words"\nC=\'x # y\'\nD="line1\nline2"\n')
    const {env} = loadEnvironment({cwd, home, env: {}})
    expect(env).toMatchObject({A: '1', B: 'two words', C: 'x # y', D: 'line1\nline2'})
  })

  it('never touches process.env', () => {
    put(path.join(cwd, '.qwen', '.env'), 'SANDBOX_AGENT_TEST_ONLY=1\n')
    const loaded = loadEnvironment({cwd, home, env: {}})
    expect(loaded.env.SANDBOX_AGENT_TEST_ONLY).toBe('1')
    expect(process.env.SANDBOX_AGENT_TEST_ONLY).toBeUndefined()
    expect(Object.isFrozen(loaded.env)).toBe(true)
  })
})
