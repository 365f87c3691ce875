// A CLI killed with SIGKILL mid-run cannot remove its session's internal network and network proxy: `agent sandbox
// ls` lists them (owner gone) and `agent sandbox prune` removes them with the session's container.
import {afterAll, beforeAll, expect, it} from 'vitest'

import {
  AttackSuite,
  containersOf,
  exec,
  hostProcesses,
  shellCall,
  spawnRun,
  waitFor,
} from '../security/helpers/attack-run.js'

const suite = new AttackSuite()

beforeAll(() => suite.start())
afterAll(async () => {
  await suite.stop()
})

/** Ids of the networks whose workspace label is this project. */
async function networksOf(project: string): Promise<string[]> {
  const {stdout} = await exec('docker', [
    'network',
    'ls',
    '-q',
    '--filter',
    `label=dev.sandbox-agent.workspace=${project}`,
  ])
  return stdout.split('\n').filter(Boolean)
}

it('SIGKILL of the CLI leaves the network and proxy; ls lists them, prune removes them', async () => {
  const marker = `${977_000 + Math.floor(Math.random() * 900)}`
  const project = suite.project({'a.txt': 'a\n'})
  const cli = spawnRun(
    suite,
    project,
    [{toolCalls: [shellCall({id: 'wait', command: `sleep ${marker}`})]}, {text: 'never'}],
    ['--approval-mode', 'yolo', '--allow-host', 'web.test'],
  )
  try {
    await waitFor(async () => (await hostProcesses(`sleep ${marker}`)).length > 0, 60_000).catch(() => {
      throw new Error(`the run never reached its command: ${cli.stderr().slice(-2000)}`)
    })
    process.kill(cli.pid, 'SIGKILL')
    expect((await cli.exited).signal).toBe('SIGKILL')
    expect(await networksOf(project)).toHaveLength(1)

    const label = `dev.sandbox-agent.workspace=${project}`
    const ls = await suite.cli(['sandbox', 'ls', '--json', '--label', label], project)
    expect(ls.exitCode).toBe(0)
    const listed = JSON.parse(ls.stdout) as {
      containers: {sessionId: string; owner: string; labels: Record<string, string>}[]
      networks: {name: string; sessionId: string; owner: string}[]
    }
    const sessionId = listed.networks[0]?.sessionId
    expect(listed.networks).toEqual([
      expect.objectContaining({name: `sandbox-agent-${sessionId}-net`, owner: 'orphan'}),
    ])
    expect(listed.containers.map((c) => c.labels['dev.sandbox-agent.role'] ?? 'session').sort()).toEqual([
      'network-proxy',
      'session',
    ])
    const table = await suite.cli(['sandbox', 'ls', '--label', label], project)
    expect(table.stdout).toMatch(/NETWORKS\n\s+NAME\s+SESSION\s+CREATED\s+OWNER\n\s+sandbox-agent-\S+-net .*orphan/)
    expect(table.stdout).toContain('(network proxy)')

    const prune = await suite.cli(['sandbox', 'prune', '--label', label], project)
    expect(prune.exitCode).toBe(0)
    expect(prune.stdout).toContain(
      `removed network sandbox-agent-${sessionId}-net: its owner process ${cli.pid} is gone`,
    )
    expect(prune.stdout.match(new RegExp(`removed container \\w+ \\(session ${sessionId}\\)`, 'g'))).toHaveLength(2)
    expect(await networksOf(project)).toEqual([])
    expect(await containersOf(project)).toEqual([])
    expect(await hostProcesses(`sleep ${marker}`)).toEqual([])
  } finally {
    cli.kill('SIGKILL')
    for (const id of await networksOf(project)) await exec('docker', ['network', 'rm', id]).catch(() => undefined)
  }
})
