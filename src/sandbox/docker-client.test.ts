// Which daemon we talk to (DOCKER_HOST, contexts, default socket) and how connection errors become one line.
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {DockerUnavailableError, ExitCode} from '../errors.js'
import {createDockerClient, describeDockerEndpoint, endpointLabel, pingDocker, toDockerError} from './docker-client.js'

const emptyHome = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'home-'))

describe('describeDockerEndpoint', () => {
  it('defaults to the local socket', () => {
    expect(describeDockerEndpoint({}, {homeDir: emptyHome()})).toEqual({
      url: 'unix:///var/run/docker.sock',
      protocol: 'unix',
      source: 'default',
      tls: false,
    })
  })

  it('honours DOCKER_HOST for unix, tcp, tcp+TLS and ssh', () => {
    const home = emptyHome()
    expect(describeDockerEndpoint({DOCKER_HOST: 'unix:///tmp/d.sock'}, {homeDir: home})).toMatchObject({
      url: 'unix:///tmp/d.sock',
      source: 'DOCKER_HOST',
    })
    expect(describeDockerEndpoint({DOCKER_HOST: 'tcp://10.0.0.5:2375'}, {homeDir: home})).toMatchObject({
      protocol: 'tcp',
      tls: false,
    })
    expect(
      describeDockerEndpoint(
        {DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs'},
        {homeDir: home},
      ),
    ).toMatchObject({protocol: 'tcp', tls: true, certPath: '/certs'})
    expect(describeDockerEndpoint({DOCKER_HOST: 'ssh://me@box'}, {homeDir: home})).toMatchObject({
      protocol: 'ssh',
      url: 'ssh://me@box',
    })
    expect(describeDockerEndpoint({DOCKER_HOST: '10.0.0.5:2375'}, {homeDir: home})).toMatchObject({
      url: 'tcp://10.0.0.5:2375',
    })
  })

  it('rejects an address it cannot use, in one line', () => {
    expect(() => describeDockerEndpoint({DOCKER_HOST: 'fd://'}, {homeDir: emptyHome()})).toThrow(DockerUnavailableError)
  })

  it('follows the active docker context, and DOCKER_HOST still wins', () => {
    const home = emptyHome()
    const id = createHash('sha256').update('remote').digest('hex')
    fs.mkdirSync(path.join(home, '.docker/contexts/meta', id), {recursive: true})
    fs.writeFileSync(path.join(home, '.docker/config.json'), JSON.stringify({currentContext: 'remote'}))
    fs.writeFileSync(
      path.join(home, '.docker/contexts/meta', id, 'meta.json'),
      JSON.stringify({Name: 'remote', Endpoints: {docker: {Host: 'tcp://builder:2375', SkipTLSVerify: false}}}),
    )
    const endpoint = describeDockerEndpoint({}, {homeDir: home})
    expect(endpoint).toMatchObject({url: 'tcp://builder:2375', source: 'context', contextName: 'remote'})
    expect(endpointLabel(endpoint)).toBe('tcp://builder:2375 (docker context "remote")')
    expect(describeDockerEndpoint({DOCKER_HOST: 'unix:///x.sock'}, {homeDir: home}).source).toBe('DOCKER_HOST')
    expect(describeDockerEndpoint({DOCKER_CONTEXT: 'default'}, {homeDir: home}).source).toBe('default')
  })
})

describe('toDockerError', () => {
  const local = describeDockerEndpoint({}, {homeDir: emptyHome()})
  const errno = (code: string) =>
    Object.assign(new Error(`connect ${code} /var/run/docker.sock`), {code, syscall: 'connect'})

  it('maps a missing socket to one line with how to start the daemon', () => {
    const error = toDockerError(errno('ENOENT'), local)
    expect(error).toBeInstanceOf(DockerUnavailableError)
    expect(error.exitCode).toBe(ExitCode.docker)
    expect(error.oneLine()).toBe(
      'Docker daemon is not reachable at unix:///var/run/docker.sock (socket not found). Start it (sudo systemctl start docker, or run dockerd) or set DOCKER_HOST',
    )
    expect(error.oneLine()).not.toContain('\n')
  })

  it('maps refused, permission and timeout', () => {
    expect(toDockerError(errno('ECONNREFUSED'), local).message).toContain('(connection refused)')
    expect(toDockerError(errno('EACCES'), local).oneLine()).toMatch(/Permission denied.*docker group/)
    const timeout = Object.assign(new Error('timed out'), {code: 'ETIMEDOUT', timeoutMs: 5000})
    expect(toDockerError(timeout, local).message).toContain('(no answer within 5s)')
  })

  it('points DOCKER_HOST users at DOCKER_HOST', () => {
    const remote = describeDockerEndpoint({DOCKER_HOST: 'tcp://10.1.1.1:2375'}, {homeDir: emptyHome()})
    expect(toDockerError(errno('ECONNREFUSED'), remote).oneLine()).toContain('fix DOCKER_HOST')
  })

  it("keeps the daemon's own message for refused requests", () => {
    const apiError = Object.assign(new Error('(HTTP code 409) unexpected - conflict'), {
      statusCode: 409,
      json: {message: 'image is in use'},
    })
    expect(toDockerError(apiError, local).message).toBe(
      'Docker at unix:///var/run/docker.sock refused the request (HTTP 409): image is in use',
    )
  })
})

describe('pingDocker', () => {
  it('fails fast with one line against a socket that does not exist', async () => {
    const env = {DOCKER_HOST: `unix:///tmp/no-such-docker-${process.pid}.sock`}
    const endpoint = describeDockerEndpoint(env)
    const promise = pingDocker(createDockerClient(env, endpoint), endpoint, {timeoutMs: 2000})
    await expect(promise).rejects.toBeInstanceOf(DockerUnavailableError)
    await expect(promise).rejects.toThrow(
      /not reachable at unix:\/\/\/tmp\/no-such-docker-\d+\.sock \(socket not found\)/,
    )
  })
})
