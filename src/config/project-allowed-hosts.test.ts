import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {loadConfig} from './load-config.js'
import {addProjectAllowedHost, allowedHostsPath, readProjectAllowedHosts} from './project-allowed-hosts.js'

let root: string
let home: string
let project: string

function userSettings(value: unknown): void {
  fs.mkdirSync(path.join(home, '.qwen'), {recursive: true})
  fs.writeFileSync(path.join(home, '.qwen', 'settings.json'), JSON.stringify(value))
}

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'allowed-hosts-')))
  home = path.join(root, 'home')
  project = path.join(root, 'project')
  fs.mkdirSync(home)
  fs.mkdirSync(project)
})

afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

describe('the hosts a user always allows for a project', () => {
  it('are saved in the home under the real path, mode 0600, keeping other projects', () => {
    const link = path.join(root, 'link')
    fs.symlinkSync(project, link)
    addProjectAllowedHost(home, '/elsewhere', 'x.test')
    const file = addProjectAllowedHost(home, link, 'a.test')
    addProjectAllowedHost(home, project, 'a.test')
    addProjectAllowedHost(home, project, 'b.test:8443')
    expect(file).toBe(allowedHostsPath(home))
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      '/elsewhere': ['x.test'],
      [project]: ['a.test', 'b.test:8443'],
    })
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(readProjectAllowedHosts(home, link)).toEqual(['a.test', 'b.test:8443'])
    expect(fs.readdirSync(project)).toEqual([])
  })

  it('widen an allow list, never "none" or "bridge"', () => {
    addProjectAllowedHost(home, project, 'a.test')
    userSettings({sandbox: {network: {allow: ['b.test']}}})
    const widened = loadConfig({cwd: project, home, env: {}})
    expect(widened.sandbox.network).toEqual({allow: ['b.test', 'a.test']})
    // `agent doctor` names the file among the policy's sources.
    expect(widened.sources.allowedHostsFile).toBe(allowedHostsPath(home))
    userSettings({sandbox: {network: {allow: ['a.test']}}})
    expect(loadConfig({cwd: project, home, env: {}}).sources.allowedHostsFile).toBeUndefined()
    userSettings({})
    expect(loadConfig({cwd: project, home, env: {}}).sandbox.network).toBe('none')
    expect(loadConfig({cwd: project, home, env: {}}).sources.allowedHostsFile).toBeUndefined()
    expect(loadConfig({cwd: project, home, env: {}, flags: {network: true}}).sandbox.network).toBe('bridge')
  })

  it('apply to that project only', () => {
    addProjectAllowedHost(home, '/elsewhere', 'a.test')
    userSettings({sandbox: {network: {allow: ['b.test']}}})
    expect(loadConfig({cwd: project, home, env: {}}).sandbox.network).toEqual({allow: ['b.test']})
  })

  it('skip entries that are not allow entries; a broken file is one line naming it', () => {
    fs.mkdirSync(path.join(home, '.qwen'))
    fs.writeFileSync(allowedHostsPath(home), JSON.stringify({[project]: ['ok.test', 'http://bad.test/', 3]}))
    expect(readProjectAllowedHosts(home, project)).toEqual(['ok.test'])
    fs.writeFileSync(allowedHostsPath(home), '{"a": ')
    expect(() => readProjectAllowedHosts(home, project)).toThrow(`Invalid ${allowedHostsPath(home)}: line 1`)
  })
})
