// `agent doctor` and a dead daemon, against the real Docker engine: truthful checks, one line per problem, no stack traces.
import {beforeAll, describe, expect, it} from 'vitest'

import {assertBuilt, runCli} from './run-cli.js'

const deadSocket = `unix:///tmp/sandbox-agent-no-such-docker-${process.pid}.sock`

interface Report {
  ok: boolean
  checks: Array<{id: string; status: string; summary: string; hint?: string}>
}

beforeAll(() => assertBuilt())

describe('agent doctor against the real daemon', () => {
  it('reports node and docker as passing, says which daemon and its version', async () => {
    const result = await runCli(['doctor', '--json'], {OPENAI_API_KEY: 'sk-test-not-real', DOCKER_HOST: undefined})
    const report = JSON.parse(result.stdout) as Report
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]))
    expect(byId.node?.status).toBe('ok')
    expect(byId.docker?.status).toBe('ok')
    expect(byId.docker?.summary).toMatch(/^Docker \S+ \(API [\d.]+, linux\/\w+\) at unix:\/\/\S+ \(local socket\)$/)
    expect(byId.auth?.status).toBe('ok')
    expect(byId.auth?.summary).toMatch(/^openai-compatible: key from environment variable OPENAI_API_KEY; /)
    expect(result.stdout).not.toContain('sk-test-not-real')
    // The image check tells the truth either way; exit code follows it.
    expect(['ok', 'warn', 'fail']).toContain(byId.image?.status)
    expect(result.code).toBe(byId.image?.status === 'fail' ? 1 : 0)
    expect(result.stderr).toBe('')
  })

  it('prints one line per check and fails when credentials are missing', async () => {
    const result = await runCli(['doctor'], {OPENAI_API_KEY: '', DOCKER_HOST: undefined})
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(5)
    expect(lines[1]).toMatch(/^✓ Docker daemon +Docker /)
    expect(lines[3]).toMatch(/^✗ Authentication +No credentials for the model\. Set OPENAI_API_KEY/)
    expect(lines[4]).toMatch(/^✓ Network policy +sandbox\.network: none \(no network\)/)
    expect(result.code).toBe(1)
  })
})

describe('a stopped or missing daemon', () => {
  it('doctor: exits non-zero, says what is wrong and how to start it, in one line, with no stack', async () => {
    const result = await runCli(['doctor'], {DOCKER_HOST: deadSocket, OPENAI_API_KEY: 'sk-test-not-real'})
    expect(result.code).not.toBe(0)
    const dockerLines = result.stdout.split('\n').filter((l) => l.includes('Docker daemon'))
    expect(dockerLines).toHaveLength(1)
    expect(dockerLines[0]).toContain(
      `✗ Docker daemon   Docker daemon is not reachable at ${deadSocket} (socket not found)`,
    )
    expect(dockerLines[0]).toMatch(/Fix: Start the daemon/)
    expect(result.stdout).toMatch(/- Sandbox image +.*not checked, Docker is not reachable/)
    expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m)
  })

  it('doctor --json: machine-readable failure', async () => {
    const result = await runCli(['doctor', '--json'], {DOCKER_HOST: deadSocket})
    const report = JSON.parse(result.stdout) as Report
    expect(report.ok).toBe(false)
    expect(report.checks.find((c) => c.id === 'docker')).toMatchObject({status: 'fail'})
    expect(result.code).toBe(1)
  })

  it.each([
    ['sandbox', 'ls'],
    ['sandbox', 'prune', '--dry-run'],
    ['sandbox', 'build'],
  ])('%s %s: exit 3 and exactly one line on stderr', async (...args) => {
    const result = await runCli(args, {DOCKER_HOST: deadSocket})
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `Error: Docker daemon is not reachable at ${deadSocket} (socket not found). Start the daemon that should listen there, or unset DOCKER_HOST to use the local socket`,
    ])
  })

  it('a refused TCP endpoint is one line too', async () => {
    const result = await runCli(['sandbox', 'ls'], {DOCKER_HOST: 'tcp://127.0.0.1:1'})
    expect(result.code).toBe(3)
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'Error: Docker daemon is not reachable at tcp://127.0.0.1:1 (connection refused). Start the daemon on that host or fix DOCKER_HOST',
    ])
  })
})
