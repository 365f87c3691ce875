// The trust summary both `agent trust` and chat show: status with the deciding rule, what trusting would change, new rules.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {trustedFoldersPath} from './trusted-folders-file.js'
import {saveTrustRule, summarizeFolderTrust} from './trust-summary.js'

let home: string
let project: string
beforeEach(() => {
  home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trust-summary-home-')))
  project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trust-summary-project-')))
})
afterEach(() => {
  fs.rmSync(home, {recursive: true, force: true})
  fs.rmSync(project, {recursive: true, force: true})
})

const summary = (folderTrustEnabled = true) => summarizeFolderTrust({home, folder: project, folderTrustEnabled})

describe('summarizeFolderTrust', () => {
  it('a folder with nothing of its own: not trusted, nothing to change, trust does not matter', () => {
    expect(summary()).toMatchObject({
      status: `${project}: not trusted (no rule in ${trustedFoldersPath(home)}); its settings may only tighten yours`,
      details: ['This folder has no .qwen/settings.json or .env of its own.'],
      matters: false,
    })
  })

  it('names the widening keys and the .env variables (not their values), and trust matters', () => {
    fs.mkdirSync(path.join(project, '.qwen'))
    fs.writeFileSync(path.join(project, '.qwen', 'settings.json'), '{"sandbox": {"env": ["HOME"]}}')
    fs.writeFileSync(path.join(project, '.env'), 'OPENAI_BASE_URL=http://x\nexport OPENAI_API_KEY=secret\n')
    const {details, matters} = summary()
    expect(matters).toBe(true)
    expect(details[0]).toBe(`${project}/.qwen/settings.json would change, once trusted:`)
    expect(details).toContain('  sandbox.env: it would pass host variables into the sandbox')
    expect(details.at(-1)).toBe(
      `${project}/.env sets OPENAI_BASE_URL, OPENAI_API_KEY; once trusted, its endpoints may receive your credentials.`,
    )
    expect(details.join('\n')).not.toContain('secret')
  })

  it('says which rule decides, and that everything is trusted when folder trust is off', () => {
    saveTrustRule(home, project, 'TRUST_FOLDER')
    expect(summary().status).toBe(`${project}: trusted (TRUST_FOLDER ${project} in ${trustedFoldersPath(home)})`)
    saveTrustRule(home, project, 'DO_NOT_TRUST')
    expect(summary().status).toMatch(/: not trusted \(DO_NOT_TRUST .*\); its settings may only tighten yours$/)
    expect(summary(false).status).toBe(`${project}: trusted (security.folderTrust.enabled is false in your settings)`)
  })
})

describe('saveTrustRule', () => {
  it('records the rule and says what it covers', () => {
    expect(saveTrustRule(home, project, 'TRUST_PARENT')).toEqual({
      level: 'TRUST_PARENT',
      file: trustedFoldersPath(home),
      trusted: true,
      scope: `${path.dirname(project)} and every folder in it`,
    })
    expect(saveTrustRule(home, project, 'DO_NOT_TRUST')).toMatchObject({trusted: false, scope: project})
    expect(JSON.parse(fs.readFileSync(trustedFoldersPath(home), 'utf8'))).toEqual({[project]: 'DO_NOT_TRUST'})
  })
})
