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
    expect(registryCredentials('reg.lan:5000', configDir({auths: {'http://reg.lan:5000': {auth}}}))?.username).toBe(
      'agent',
    )
  })

  it('has none for another host or without a config file', () => {
    const auth = Buffer.from('a:b').toString('base64')
    expect(registryCredentials('other:5000', configDir({auths: {'reg.lan:5000': {auth}}}))).toBeUndefined()
    expect(registryCredentials('reg.lan:5000', {DOCKER_CONFIG: '/nonexistent'})).toBeUndefined()
  })

  it('refuses in one line a login kept by a credential helper', () => {
    const env = configDir({auths: {'reg.lan:5000': {}}, credsStore: 'pass'})
    expect(() => registryCredentials('reg.lan:5000', env)).toThrow(/docker-credential-pass, which is not read/)
  })
})
