// Qwen Code's older settings keys keep their meaning: read as the new names, new names winning, one notice per file.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {legacySettingsNotice, migrateLegacySettings} from './legacy-settings.js'
import {loadConfig} from './load-config.js'

describe('migrateLegacySettings', () => {
  it('moves each old key to its section and keeps the rest', () => {
    const {settings, renamed} = migrateLegacySettings({
      coreTools: ['run_shell_command(git)'],
      excludeTools: ['run_shell_command(git push)'],
      shouldUseNodePtyShell: true,
      shellPager: 'less',
      model: {name: 'm'},
    })
    expect(settings).toEqual({
      model: {name: 'm'},
      tools: {
        core: ['run_shell_command(git)'],
        exclude: ['run_shell_command(git push)'],
        shell: {enableInteractiveShell: true, pager: 'less'},
      },
    })
    expect(renamed.map((entry) => entry.from)).toEqual([
      'coreTools',
      'excludeTools',
      'shouldUseNodePtyShell',
      'shellPager',
    ])
  })

  it('lets the new key win when a file has both, and changes nothing without old keys', () => {
    expect(migrateLegacySettings({excludeTools: ['a'], tools: {exclude: ['b']}}).settings).toEqual({
      tools: {exclude: ['b']},
    })
    const plain = {tools: {exclude: ['b']}}
    expect(migrateLegacySettings(plain)).toEqual({settings: plain, renamed: []})
  })

  it('says which keys to rename in one line', () => {
    expect(legacySettingsNotice('/p/.qwen/settings.json', [{from: 'excludeTools', to: 'tools.exclude'}])).toBe(
      "Note: /p/.qwen/settings.json uses Qwen Code's older settings keys (excludeTools -> tools.exclude); they are read as the new ones, rename them",
    )
  })
})

describe('loadConfig with older keys', () => {
  it('blocks what an old excludeTools entry blocks, from the user settings and from an untrusted project', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'legacy-home-'))
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'legacy-project-'))
    fs.mkdirSync(path.join(home, '.qwen'))
    fs.mkdirSync(path.join(project, '.qwen'))
    fs.writeFileSync(
      path.join(home, '.qwen', 'settings.json'),
      JSON.stringify({excludeTools: ['run_shell_command(git push)']}),
    )
    fs.writeFileSync(path.join(project, '.qwen', 'settings.json'), JSON.stringify({excludeTools: ['write_file']}))
    const config = loadConfig({cwd: project, home, env: {}, flags: {}})
    expect(config.settings.tools.exclude).toEqual(expect.arrayContaining(['run_shell_command(git push)', 'write_file']))
    expect(config.trust.notices.filter((line) => line.includes('older settings keys'))).toHaveLength(2)
  })
})
