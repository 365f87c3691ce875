// The Docker daemon is down at start, or goes away mid-run: one line saying what happened and what to do, a non-zero
// exit, nothing applied, and (mid-run) the work still there once the daemon is back.
import fs from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {defaultImageName} from '../../src/sandbox/image/definition.js'
import {
  createFaultEnv,
  errorLines,
  looksLikeStackTrace,
  stderrLines,
  sessionContainers,
  sessionIdOf,
  shell,
  type FaultEnv,
} from './helpers/fault-env.js'
import {startCutProxy} from './helpers/cut-proxy.js'
import {canRunDockerd, loadImage, secondDockerd, type SecondDockerd} from '../helpers/second-dockerd.js'

let env: FaultEnv

beforeAll(async () => {
  env = await createFaultEnv()
})

afterAll(async () => {
  await env?.[Symbol.asyncDispose]()
})

describe('the Docker daemon is down at start', () => {
  it.each([
    {
      name: 'nothing listens on the TCP port',
      host: 'tcp://127.0.0.1:1',
      line: /^Error: Could not inspect the sandbox image: Docker daemon is not reachable at tcp:\/\/127\.0\.0\.1:1 \(connection refused\)\. Start the daemon on that host or fix DOCKER_HOST$/,
    },
    {
      name: 'the unix socket does not exist',
      host: 'unix:///nonexistent/docker.sock',
      line: /^Error: Could not inspect the sandbox image: Docker daemon is not reachable at unix:\/\/\/nonexistent\/docker\.sock \(socket not found\)\. Start the daemon that should listen there, or unset DOCKER_HOST to use the local socket$/,
    },
  ])('$name: one line, exit code 3, nothing applied', async ({host, line}) => {
    const project = await env.project({'a.txt': 'original\n'})
    env.server.setScript([{toolCalls: [shell('c1', 'echo changed > a.txt')]}, {text: 'done'}])
    const result = await env.run(['run', '--apply', 'change a.txt'], {cwd: project, env: {DOCKER_HOST: host}})
    expect(stderrLines(result.stderr)).toHaveLength(1)
    expect(stderrLines(result.stderr)[0]).toMatch(line)
    expect(looksLikeStackTrace(result.stderr)).toBe(false)
    expect(result.exitCode).toBe(3)
    expect(env.server.stepsUsed).toBe(0)
    expect(await fs.readFile(path.join(project, 'a.txt'), 'utf8')).toBe('original\n')
  })
})

describe('the connection to the Docker daemon is lost mid-command (a crash, as the CLI sees it)', () => {
  it('one error line, exit code 3, nothing applied; once Docker answers again the changes are all there', async () => {
    await using proxy = await startCutProxy()
    const project = await env.project({'a.txt': 'original\n'})
    env.server.setScript([
      {toolCalls: [shell('c1', 'echo changed > a.txt && echo new > b.txt && echo started && sleep 60')]},
      {text: 'never asked for'},
    ])
    let cut: Promise<void> | undefined
    const result = await env.run(['run', '--apply', 'change a.txt'], {
      cwd: project,
      env: {DOCKER_HOST: proxy.host},
      onStderr: (stderr) => {
        if (!cut && stderr.includes('│ started')) cut = proxy.cut()
      },
    })
    await cut
    const id = sessionIdOf(result.stderr)
    env.keptSession(id)

    expect(result.stderr).toMatch(/✗ .*The sandbox container went away while the command ran/)
    expect(result.stderr).toMatch(/^Failed: The sandbox container stopped while a command ran/m)
    // (Refused; or reset / hung up when the CLI's request raced the cut.)
    const errors = errorLines(result.stderr)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBe(
      `Error: Could not stop the sandbox container: Docker daemon is not reachable at ${proxy.host} ` +
        `(${/ \(([^)]+)\); nothing/.exec(errors[0]!)?.[1]}); nothing was applied. The changes of session ${id} stay ` +
        `in its sandbox: once Docker is back, review with \`agent diff ${id}\``,
    )
    expect(errors[0]).toMatch(/\((connection refused|connection reset|socket hang up)\); nothing/)
    expect(looksLikeStackTrace(result.stderr)).toBe(false)
    expect(result.exitCode).toBe(3)
    expect(env.server.stepsUsed).toBe(1)
    expect(await fs.readFile(path.join(project, 'a.txt'), 'utf8')).toBe('original\n')
    expect(await fs.readdir(project)).toEqual(['a.txt'])

    // Docker is back: the session (its host record, container and volume) is found, and nothing the agent did is lost.
    await proxy.restore()
    const diff = await env.run(['diff', id], {cwd: project, env: {DOCKER_HOST: proxy.host}})
    expect(diff.exitCode).toBe(0)
    expect(diff.stdout).toContain('+changed')
    expect(diff.stdout).toContain('+++ b/b.txt')
    // Until now the container ran on with a dead owner (what other tests' orphan checks look for): remove it at once.
    expect((await env.run(['discard', id], {cwd: project})).exitCode).toBe(0)
  })
})

describe.skipIf(!canRunDockerd())('the Docker daemon is stopped mid-command (a second dockerd of our own)', () => {
  let daemon: SecondDockerd

  beforeAll(async () => {
    daemon = secondDockerd({port: 23751, bridgeAddress: '10.213.78.1/24', name: 'faults'})
    await daemon.start()
    loadImage(defaultImageName(), daemon.host)
  })

  afterAll(async () => {
    await daemon?.dispose()
  })

  it('non-zero exit, nothing applied, at most one error line; after a restart the changes are still there', async () => {
    const project = await env.project({'a.txt': 'original\n'})
    env.server.setScript([
      {toolCalls: [shell('c1', 'echo changed > a.txt && echo started && sleep 60')]},
      {text: 'never asked for'},
    ])
    let stopped: Promise<void> | undefined
    const result = await env.run(['run', '--apply', 'change a.txt'], {
      cwd: project,
      env: {DOCKER_HOST: daemon.host},
      onStderr: (stderr) => {
        if (!stopped && stderr.includes('│ started')) stopped = daemon.stop()
      },
    })
    await stopped
    // (No cleanup to register: the daemon's whole data root goes away with it.)
    const id = sessionIdOf(result.stderr)

    // A stopping daemon may still answer the CLI's "stop the container" (then: kept, exit 1) or no longer (then: the
    // one error line, exit 3). Either way the user is told where the changes are, and nothing is applied.
    expect(result.stderr).toMatch(/^Failed: The sandbox container stopped while a command ran/m)
    expect(errorLines(result.stderr).length).toBeLessThanOrEqual(1)
    expect(result.stderr).toContain(`review with \`agent diff ${id}\``)
    expect(looksLikeStackTrace(result.stderr)).toBe(false)
    expect([1, 3]).toContain(result.exitCode)
    expect(await fs.readFile(path.join(project, 'a.txt'), 'utf8')).toBe('original\n')

    await daemon.start()
    expect(await sessionContainers(id, daemon.host)).toHaveLength(1)
    const diff = await env.run(['diff', id], {cwd: project, env: {DOCKER_HOST: daemon.host}})
    expect(diff.exitCode).toBe(0)
    expect(diff.stdout).toContain('+changed')
    const discard = await env.run(['discard', id], {cwd: project, env: {DOCKER_HOST: daemon.host}})
    expect(discard.exitCode).toBe(0)
  })
})
