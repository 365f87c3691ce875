import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {registryCredentials} from './registry-credentials.js'

function configDir(config: unknown): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-'))
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config))
  return {DOCKER_CONFIG: dir}
}

describe('registryCredentials', () => {
  it('reads the login docker login stored for the host, under any of the keys docker uses', () => {
    const auth = Buffer.from('agent:pa:ss').toString('base64')
    expect(registryCredentials('reg.lan:5000', configDir({auths: {'reg.lan:5000': {auth}}}))).toEqual({
      username: 'agent',
      password: 'pa:ss',
      serveraddress: 'reg.lan:5000',
    })
    expect(registryCredentials('reg.lan:5000', configDir({auths: {'http://reg.lan:5000': {auth}}}))).toMatchObject({
      username: 'agent',
    })
  })

  it('has none for another host or without a config file', () => {
    const auth = Buffer.from('a:b').toString('base64')
    expect(registryCredentials('other:5000', configDir({auths: {'reg.lan:5000': {auth}}}))).toBeUndefined()
    expect(registryCredentials('reg.lan:5000', {DOCKER_CONFIG: '/nonexistent'})).toBeUndefined()
  })

  it('asks the credential helper named for the host (credHelpers) or credsStore, the host on its stdin', () => {
    const {env, asked} = withHelper('satest', '{"ServerURL": "reg.lan:5000", "Username": "agent", "Secret": "pw"}')
    Object.assign(env, configDir({auths: {'reg.lan:5000': {}}, credHelpers: {'reg.lan:5000': 'satest'}}))
    expect(registryCredentials('reg.lan:5000', env)).toEqual({
      username: 'agent',
      password: 'pw',
      serveraddress: 'reg.lan:5000',
    })
    expect(fs.readFileSync(asked, 'utf8')).toBe('get reg.lan:5000')
    Object.assign(env, configDir({credsStore: 'satest'}))
    expect(registryCredentials('reg.lan:5000', env)).toMatchObject({username: 'agent', password: 'pw'})
  })

  it('takes a helper\'s "<token>" user name, or an identitytoken in the file, as an identity token', () => {
    const {env} = withHelper('satok', '{"ServerURL": "reg.lan:5000", "Username": "<token>", "Secret": "refresh-1"}')
    Object.assign(env, configDir({credsStore: 'satok'}))
    expect(registryCredentials('reg.lan:5000', env)).toEqual({
      identitytoken: 'refresh-1',
      serveraddress: 'reg.lan:5000',
    })
    expect(registryCredentials('reg.lan:5000', configDir({auths: {'reg.lan:5000': {identitytoken: 'r2'}}}))).toEqual({
      identitytoken: 'r2',
      serveraddress: 'reg.lan:5000',
    })
  })

  it('has none when the helper has none; a helper that is missing or fails is one line naming it', () => {
    const notFound = withHelper('sanone', 'credentials not found in native keychain', 1)
    Object.assign(notFound.env, configDir({credsStore: 'sanone'}))
    expect(registryCredentials('reg.lan:5000', notFound.env)).toBeUndefined()

    const broken = withHelper('sabroken', 'gpg: decryption failed: No secret key', 2)
    Object.assign(broken.env, configDir({credsStore: 'sabroken'}))
    expect(() => registryCredentials('reg.lan:5000', broken.env)).toThrow(
      'The credential helper docker-credential-sabroken (named in',
    )
    expect(() => registryCredentials('reg.lan:5000', broken.env)).toThrow(
      /gave no login for reg.lan:5000: gpg: decryption failed/,
    )

    const missing = {...configDir({credsStore: 'sa-not-installed'}), PATH: '/nonexistent'}
    expect(() => registryCredentials('reg.lan:5000', missing)).toThrow(
      /docker-credential-sa-not-installed .* gave no login for reg.lan:5000: it is not on PATH/,
    )
  })
})

/** A real `docker-credential-NAME` on PATH that records what it was asked and answers `output` with `code`. */
function withHelper(name: string, output: string, code = 0): {env: NodeJS.ProcessEnv; asked: string} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cred-helper-'))
  const asked = path.join(dir, 'asked')
  fs.writeFileSync(
    path.join(dir, `docker-credential-${name}`),
    `#!/bin/sh\nprintf '%s ' "$1" > ${asked}\ncat >> ${asked}\nprintf '%s\\n' '${output}'\nexit ${code}\n`,
    {mode: 0o755},
  )
  return {env: {PATH: `${dir}:${process.env.PATH ?? ''}`}, asked}
}
