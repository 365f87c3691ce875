// The host's apt sources, both formats: finding the Debian bookworm main mirror without hard-coding a host.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {
  findDebianMirror,
  parseDeb822Sources,
  parseOneLineSources,
  readAptSources,
  renderSourcesList,
} from './apt-sources.js'

const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security/
Suites: bookworm-security
Components: main

Types: deb deb-src
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
`

const oneLine = `# comment
deb [arch=amd64 signed-by=/etc/apt/keyrings/x.gpg] https://packages.cloud.google.com/apt cloud-sdk-bookworm main
deb-src http://src.example/debian bookworm main
deb http://ftp.example.org/debian/ bookworm main contrib non-free-firmware  # trailing comment
deb http://ftp.example.org/debian bookworm-updates main
deb http://security.example.org/debian-security bookworm-security main
`

describe('parseDeb822Sources', () => {
  it('expands each URI x suite, skips disabled stanzas and comments inside a stanza', () => {
    const sources = parseDeb822Sources(deb822, 'debian.sources')
    expect(sources.map((s) => `${s.type} ${s.uri} ${s.suite}`)).toEqual([
      'deb http://mirror.example/debian bookworm',
      'deb http://mirror.example/debian bookworm-updates',
      'deb http://mirror.example/debian-security bookworm-security',
    ])
    expect(sources[0]?.signedBy).toBe('/usr/share/keyrings/debian-archive-keyring.gpg')
    expect(sources[0]?.components).toEqual(['main'])
  })

  it('finds the bookworm main mirror with updates and security as extras', () => {
    expect(findDebianMirror(parseDeb822Sources(deb822))).toEqual({
      uri: 'http://mirror.example/debian',
      suite: 'bookworm',
      keyring: '/usr/share/keyrings/debian-archive-keyring.gpg',
      extra: [
        {uri: 'http://mirror.example/debian', suite: 'bookworm-updates'},
        {uri: 'http://mirror.example/debian-security', suite: 'bookworm-security'},
      ],
    })
  })
})

describe('parseOneLineSources', () => {
  it('reads options, strips comments and trailing slashes, keeps deb-src apart', () => {
    const sources = parseOneLineSources(oneLine)
    expect(sources).toHaveLength(5)
    expect(sources[0]).toMatchObject({type: 'deb', suite: 'cloud-sdk-bookworm', signedBy: '/etc/apt/keyrings/x.gpg'})
    expect(sources[1]).toMatchObject({type: 'deb-src'})
    expect(sources[2]).toMatchObject({
      uri: 'http://ftp.example.org/debian',
      components: ['main', 'contrib', 'non-free-firmware'],
    })
  })

  it('picks the deb entry serving bookworm main, not a third-party repo or deb-src', () => {
    const mirror = findDebianMirror(parseOneLineSources(oneLine))
    expect(mirror?.uri).toBe('http://ftp.example.org/debian')
    expect(mirror?.extra.map((e) => e.suite)).toEqual(['bookworm-updates', 'bookworm-security'])
    expect(renderSourcesList(mirror!)).toBe(
      'deb http://ftp.example.org/debian bookworm main\n' +
        'deb http://ftp.example.org/debian bookworm-updates main\n' +
        'deb http://security.example.org/debian-security bookworm-security main\n',
    )
  })

  it('finds nothing on a host without bookworm (e.g. Ubuntu)', () => {
    expect(findDebianMirror(parseOneLineSources('deb http://archive.ubuntu.com/ubuntu jammy main\n'))).toBeUndefined()
  })
})

describe('readAptSources', () => {
  it('reads sources.list, *.list and *.sources, ignoring other files', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apt-'))
    fs.mkdirSync(path.join(root, 'etc/apt/sources.list.d'), {recursive: true})
    fs.writeFileSync(path.join(root, 'etc/apt/sources.list'), '')
    fs.writeFileSync(path.join(root, 'etc/apt/sources.list.d/debian.sources'), deb822)
    fs.writeFileSync(path.join(root, 'etc/apt/sources.list.d/other.list'), oneLine)
    fs.writeFileSync(
      path.join(root, 'etc/apt/sources.list.d/x.list.disabled'),
      'deb http://nope.example/debian bookworm main\n',
    )
    const {sources, files} = readAptSources({root})
    expect(files.map((f) => path.basename(f))).toEqual(['sources.list', 'debian.sources', 'other.list'])
    expect(sources.some((s) => s.uri.includes('nope'))).toBe(false)
    expect(findDebianMirror(sources)?.uri).toBe('http://mirror.example/debian')
    fs.rmSync(root, {recursive: true})
  })
})
