import http from 'node:http'
import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {Docker} from './load-dockerode.js'

const requireHere = createRequire(import.meta.url)

describe('load-dockerode', () => {
  it('loads dockerode without its BuildKit session (grpc) and SSH (ssh2) modules, which load on first use', () => {
    expect(typeof Docker).toBe('function')
    const loaded = () => Object.keys(requireHere.cache).filter((file) => /[/\\](ssh2|@grpc)[/\\]/.test(file))
    expect(loaded()).toEqual([])
    const ssh = requireHere(requireHere.resolve('docker-modem/lib/ssh.js')) as (options: object) => unknown
    expect(ssh({host: '127.0.0.1'})).toBeInstanceOf(http.Agent)
    expect(loaded().some((file) => file.includes('ssh2'))).toBe(true)
  })
})
