// ~/.qwen/trustedFolders.json: read in Qwen Code's format, written atomically (0600) without losing other entries.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {UserInputError} from '../errors.js'
import {readTrustedFolders, trustedFoldersPath, writeTrustRule} from './trusted-folders-file.js'

let home: string
beforeEach(() => {
  home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trust-home-')))
})
afterEach(() => fs.rmSync(home, {recursive: true, force: true}))

describe('trustedFolders.json', () => {
  it('no file: no rules', () => {
    expect(readTrustedFolders(home).rules).toEqual([])
  })

  it('reads Qwen Code entries (comments allowed), skipping unknown levels but keeping them on write', () => {
    fs.mkdirSync(path.join(home, '.qwen'))
    fs.writeFileSync(
      trustedFoldersPath(home),
      '{\n  // mine\n  "/a": "TRUST_FOLDER", "/b": "TRUST_PARENT", "/c": "DO_NOT_TRUST", "/d": "SOMETHING_NEW"\n}',
    )
    expect(readTrustedFolders(home).rules).toEqual([
      {path: '/a', level: 'TRUST_FOLDER'},
      {path: '/b', level: 'TRUST_PARENT'},
      {path: '/c', level: 'DO_NOT_TRUST'},
    ])
    writeTrustRule(home, '/e', 'TRUST_FOLDER')
    const written = JSON.parse(fs.readFileSync(trustedFoldersPath(home), 'utf8')) as Record<string, string>
    expect(written).toEqual({
      '/a': 'TRUST_FOLDER',
      '/b': 'TRUST_PARENT',
      '/c': 'DO_NOT_TRUST',
      '/d': 'SOMETHING_NEW',
      '/e': 'TRUST_FOLDER',
    })
    expect(fs.statSync(trustedFoldersPath(home)).mode & 0o777).toBe(0o600)
  })

  it('a broken file is a user error naming it (never read as "trust nothing" or "trust all")', () => {
    fs.mkdirSync(path.join(home, '.qwen'))
    fs.writeFileSync(trustedFoldersPath(home), '["/a"]')
    expect(() => readTrustedFolders(home)).toThrow(UserInputError)
    expect(() => readTrustedFolders(home)).toThrow(/Invalid .*trustedFolders\.json: expected a JSON object/)
  })

  it('replaces a symlink planted at the file instead of writing through it', () => {
    fs.mkdirSync(path.join(home, '.qwen'))
    const victim = path.join(home, 'victim.json')
    fs.writeFileSync(victim, '{}')
    fs.symlinkSync(victim, trustedFoldersPath(home))
    writeTrustRule(home, '/x', 'TRUST_FOLDER')
    expect(fs.readFileSync(victim, 'utf8')).toBe('{}')
    expect(fs.lstatSync(trustedFoldersPath(home)).isSymbolicLink()).toBe(false)
  })
})
