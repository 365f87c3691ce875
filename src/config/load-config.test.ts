// loadConfig: precedence of flags, variables and settings, and the frozen result.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {UserInputError} from '../errors.js'
import {loadConfig} from './load-config.js'

let root: string
let home: string
let project: string

function put(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file, content)
}

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'config-')))
  home = path.join(root, 'home')
  project = path.join(root, 'project')
  fs.mkdirSync(home)
  fs.mkdirSync(project)
})
afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

describe('loadConfig', () => {
  it('resolves the model: flag, then OPENAI_MODEL, then settings model.name', () => {
    put(path.join(project, '.qwen', 'settings.json'), '{"model": {"name": "from-settings"}}')
    expect(loadConfig({cwd: project, home, env: {}}).model).toBe('from-settings')
    expect(loadConfig({cwd: project, home, env: {OPENAI_MODEL: 'from-env'}}).model).toBe('from-env')
    const cfg = loadConfig({cwd: project, home, env: {OPENAI_MODEL: 'from-env'}, flags: {model: 'from-flag'}})
    expect(cfg.model).toBe('from-flag')
    expect(cfg.env.OPENAI_MODEL).toBe('from-flag')
    expect(cfg.envSources.OPENAI_MODEL).toBe('flag --model')
  })

  it('records which variables came from the .env file', () => {
    put(path.join(project, '.qwen', '.env'), 'OPENAI_API_KEY=sk-file\nOPENAI_BASE_URL=http://x\n')
    const cfg = loadConfig({cwd: project, home, env: {OPENAI_BASE_URL: 'http://env'}})
    expect(cfg.env.OPENAI_API_KEY).toBe('sk-file')
    expect(cfg.env.OPENAI_BASE_URL).toBe('http://env')
    expect(cfg.envSources).toEqual({OPENAI_API_KEY: path.join(project, '.qwen', '.env')})
    expect(cfg.sources.envFile?.kind).toBe('qwen')
  })

  it('lets --openai-api-key and --openai-base-url override the environment', () => {
    const cfg = loadConfig({
      cwd: project,
      home,
      env: {OPENAI_API_KEY: 'env'},
      flags: {openaiApiKey: 'flag', openaiBaseUrl: 'http://f'},
    })
    expect(cfg.env.OPENAI_API_KEY).toBe('flag')
    expect(cfg.env.OPENAI_BASE_URL).toBe('http://f')
    expect(cfg.envSources.OPENAI_API_KEY).toBe('flag --openai-api-key')
  })

  it('applies approval mode, network, max turns and auth type overrides', () => {
    put(
      path.join(home, '.qwen', 'settings.json'),
      JSON.stringify({
        tools: {approvalMode: 'auto-edit'},
        sandbox: {network: 'bridge'},
        model: {maxSessionTurns: 7},
        security: {auth: {selectedType: 'qwen-oauth'}},
      }),
    )
    const fromSettings = loadConfig({cwd: project, home, env: {}})
    expect(fromSettings).toMatchObject({approvalMode: 'auto-edit', maxTurns: 7, authType: 'qwen-oauth'})
    expect(fromSettings.sandbox.network).toBe('bridge')
    const fromFlags = loadConfig({
      cwd: project,
      home,
      env: {},
      flags: {approvalMode: 'yolo', network: false, maxTurns: 3, auth: 'openai'},
    })
    expect(fromFlags).toMatchObject({approvalMode: 'yolo', maxTurns: 3, authType: 'openai'})
    expect(fromFlags.sandbox.network).toBe('none')
    expect(fromFlags.settings.sandbox.network).toBe('bridge')
  })

  it("runs Qwen Code's plan mode as default and -1 turns as unlimited", () => {
    put(
      path.join(project, '.qwen', 'settings.json'),
      '{"tools": {"approvalMode": "plan"}, "model": {"maxSessionTurns": -1}}',
    )
    const cfg = loadConfig({cwd: project, home, env: {}})
    expect(cfg.approvalMode).toBe('default')
    expect(cfg.maxTurns).toBeUndefined()
  })

  it('reads model timeout and retries from generationConfig when the flat keys are absent', () => {
    put(
      path.join(project, '.qwen', 'settings.json'),
      '{"model": {"generationConfig": {"timeout": 9000, "maxRetries": 2}}}',
    )
    expect(loadConfig({cwd: project, home, env: {}})).toMatchObject({modelTimeoutMs: 9000, modelMaxRetries: 2})
  })

  it('turns on debug from --debug, DEBUG or DEBUG_MODE', () => {
    expect(loadConfig({cwd: project, home, env: {}}).debug).toBe(false)
    expect(loadConfig({cwd: project, home, env: {DEBUG_MODE: '1'}}).debug).toBe(true)
    expect(loadConfig({cwd: project, home, env: {DEBUG: 'false'}}).debug).toBe(false)
    expect(loadConfig({cwd: project, home, env: {}, flags: {debug: true}}).debug).toBe(true)
  })

  it('ignores DEBUG from a plain project .env (debug stays off)', () => {
    put(path.join(project, '.env'), 'DEBUG=1\n')
    expect(loadConfig({cwd: project, home, env: {}}).debug).toBe(false)
  })

  it('uses advanced.excludedEnvVars from the settings of a trusted folder', () => {
    put(path.join(home, '.qwen', 'trustedFolders.json'), JSON.stringify({[project]: 'TRUST_FOLDER'}))
    put(path.join(project, '.qwen', 'settings.json'), '{"advanced": {"excludedEnvVars": ["SECRET_THING"]}}')
    put(path.join(project, '.env'), 'SECRET_THING=1\nDEBUG=1\n')
    const cfg = loadConfig({cwd: project, home, env: {}})
    expect(cfg.env.SECRET_THING).toBeUndefined()
    expect(cfg.env.DEBUG).toBe('1')
  })

  it('is deeply frozen', () => {
    const cfg = loadConfig({cwd: project, home, env: {}})
    expect(Object.isFrozen(cfg)).toBe(true)
    expect(Object.isFrozen(cfg.settings.tools.shell)).toBe(true)
    expect(Object.isFrozen(cfg.env)).toBe(true)
  })

  it('refuses a bad --max-turns with exit code 2', () => {
    expect(() => loadConfig({cwd: project, home, env: {}, flags: {maxTurns: 0}})).toThrow(UserInputError)
  })

  it('propagates a broken settings file as UserInputError', () => {
    put(path.join(project, '.qwen', 'settings.json'), '{"sandbox": {"memory": "lots"}}')
    expect(() => loadConfig({cwd: project, home, env: {}})).toThrow(/sandbox\.memory: expected a size/)
  })
})
