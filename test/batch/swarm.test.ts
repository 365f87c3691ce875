// agent batch --engine swarm on a Swarm of three dockerds made by the test: tasks land on every node, a node whose
// daemon is killed mid-task has its tasks retried elsewhere, nothing is left on the cluster, prune cleans a killed CLI;
// an allow list goes through a proxy service; a registry login comes from config.json or a credential helper.
import {execFile} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {promisify} from 'node:util'
import type Dockerode from 'dockerode'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createDockerFromEnv} from '../../src/sandbox/docker-connection.js'
import {defaultImageName} from '../../src/sandbox/image/definition.js'
import {Labels, managedFilter} from '../../src/sandbox/labels.js'
import {CLI} from '../e2e/helpers/run-cli.js'
import {canRunSwarm, startSwarmCluster, type SwarmCluster} from '../helpers/swarm-cluster.js'
import {BatchSuite, exec, results, taskOf, waitFor} from './helpers/batch-suite.js'

const run = promisify(execFile)

// Root, dockerd and Debian's docker-registry (.ci/ensure-docker.sh installs it); one cluster for the whole file.
describe.skipIf(!canRunSwarm())('agent batch --engine swarm (three dockerd nodes in network namespaces)', () => {
  const suite = new BatchSuite()
  let cluster: SwarmCluster
  let manager: Dockerode
  let env: Record<string, string>

  beforeAll(async () => {
    await suite.start()
    cluster = await startSwarmCluster()
    manager = createDockerFromEnv({DOCKER_HOST: cluster.manager})
    env = {DOCKER_HOST: cluster.manager, SANDBOX_AGENT_REGISTRY: cluster.registry}
    // The image goes to the registry the way a user sends it (skipped when the registry has it from an earlier run).
    const pushed = await run(process.execPath, [CLI, 'sandbox', 'build', '--push', cluster.registry], {
      env: suite.env() as NodeJS.ProcessEnv,
      cwd: suite.home,
    })
    expect(pushed.stdout).toContain(defaultImageName())
    // Every node pulls it now (from the registry, as Swarm would), so the first task on a node does not wait on a
    // 450 MB pull and the timing of the batch below is the sessions' own.
    const reference = `${new URL(cluster.registry).host}/${defaultImageName()}`
    await Promise.all(cluster.nodes.map((node) => exec('docker', ['-H', node.host, 'pull', '-q', reference])))
  }, 900_000)

  afterAll(async () => {
    await cluster?.dispose()
    await suite.stop()
  }, 180_000)

  /** Hostname of every node, by node id. */
  const nodeNames = async () =>
    new Map((await manager.listNodes()).map((node) => [node.ID!, node.Description?.Hostname ?? node.ID!]))
  const services = () => manager.listServices({filters: managedFilter()})
  const networks = () => manager.listNetworks({filters: managedFilter()})
  /**
   * The sessions' networks are removed from the cluster at once, but the manager's own engine lists a removed overlay
   * network until it has let go of its local endpoint (a few seconds; its log says "still has active attachments").
   */
  const noNetworksLeft = () => waitFor(async () => (await networks()).length === 0, 60_000)
  /** This tool's containers on every node's engine, running or not: a removed service's go within seconds. */
  const noContainersLeft = () =>
    waitFor(async () => {
      const lists = await Promise.all(
        cluster.nodes.map((node) =>
          createDockerFromEnv({DOCKER_HOST: node.host}).listContainers({all: true, filters: managedFilter()}),
        ),
      )
      return lists.every((list) => list.length === 0)
    }, 90_000)
  /** Task id → the node its session's Swarm task runs on now (its workspace label names the task's project). */
  const runningOn = async (projects: Map<string, string>) => {
    const names = await nodeNames()
    const byService = new Map(
      (await services()).map((service) => [service.ID!, projects.get(service.Spec?.Labels?.[Labels.workspace] ?? '')]),
    )
    const tasks = (await manager.listTasks({filters: {'desired-state': ['running']}})) as {
      ServiceID?: string
      NodeID?: string
      Status?: {State?: string}
    }[]
    return tasks
      .filter((task) => task.Status?.State === 'running' && byService.get(task.ServiceID ?? ''))
      .map((task) => ({id: byService.get(task.ServiceID!)!, node: names.get(task.NodeID ?? '') ?? ''}))
  }
  /** Requests the model got for a task (its first one is answered with the command to run). */
  const asked = (id: string) => suite.server.chatRequests().filter((request) => taskOf(request.body!) === id).length

  it('a dozen tasks on all three nodes; a node killed mid-task: its tasks failed with the reason and retried on another, every task completes, nothing left', async () => {
    const projects = Array.from({length: 11}, (_, i) => suite.project({'README.md': `project ${i}\n`}))
    const repo = await suite.repo({'README.md': 'a repository\n'})
    const tasks = [
      ...projects.map((dir, i) => ({id: `w${i}`, cwd: dir, prompt: `TASK w${i}: write out-w${i}.txt`})),
      {id: 'from-repo', repo: `file://${repo}`, prompt: 'TASK from-repo: write a file'},
    ]
    const byWorkspace = new Map(projects.map((dir, i) => [dir, `w${i}`]))
    // The first six are quick (two land on each node); the later ones take long enough for a node to die under them.
    const slow = new Set(tasks.slice(6).map((task) => task.id))
    suite.script = (id) => ({command: `${slow.has(id) ? 'sleep 8; ' : ''}echo ${id} > out-${id}.txt`})
    const out = suite.tempDir('swarm-out-')
    const batch = suite.spawnBatch(
      [suite.tasksFile(tasks), '--out', out, '--engine', 'swarm', '--parallel', '6', '--retries', '1'],
      env,
    )

    // Kill node3's daemon (a worker) once one of the slow tasks runs its command there.
    const victim = cluster.nodes[2]!
    let killedUnder = ''
    await waitFor(async () => {
      const running = (await runningOn(byWorkspace)).filter((task) => task.node === victim.name && slow.has(task.id))
      const busy = running.find((task) => asked(task.id) === 1)
      if (!busy) return false
      killedUnder = busy.id
      return true
    }, 120_000)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await victim.crash()
    let restarted = false
    try {
      const code = await batch.exited
      const stderr = batch.stderr()
      expect(code, stderr).toBe(0)
      const lines = results(out)
      expect(lines.map((line) => line.id).sort()).toEqual(tasks.map((task) => task.id).sort())
      expect(
        lines.every((line) => line.status === 'success'),
        JSON.stringify(lines),
      ).toBe(true)
      // Landed on every node: node3 finished tasks of its own before it died.
      expect(new Set(lines.map((line) => line.node))).toEqual(new Set(['node1', 'node2', 'node3']))
      // The task under the dead node: its attempt failed naming the node, the retry ran elsewhere and succeeded.
      const retried = lines.find((line) => line.id === killedUnder)!
      expect(retried).toMatchObject({status: 'success', attempts: 2})
      expect(retried.node).not.toBe(victim.name)
      expect(retried.retried?.[0]).toMatch(/went away.* on node3/)
      expect(stderr).toMatch(new RegExp(`retry ${killedUnder} \\(attempt 2\\): .*node3`))
      // Tasks not lost finished on their first attempt; nothing ran on node3 after it died.
      for (const line of lines.filter((l) => !l.retried)) expect(line.attempts).toBe(1)
      for (const line of lines.filter((l) => l.retried)) expect(line.node).not.toBe(victim.name)
      // The patches are the tasks' own work, the cloned repository's included.
      for (const task of tasks)
        expect(fs.readFileSync(path.join(out, task.id, 'changes.patch'), 'utf8')).toContain(`+++ b/out-${task.id}.txt`)

      // Nothing left on the cluster: no service (removed as each task ended), then no network and no container on any
      // node, node3's included once its daemon is back (Swarm has it remove the containers of services that are gone).
      expect(await services()).toEqual([])
      restarted = true
      await victim.start()
      await noContainersLeft()
      await noNetworksLeft()
    } finally {
      // The other tests need all three nodes, whatever failed here.
      if (!restarted) await victim.start()
    }
  }, 400_000)

  // One batch shows two things, to keep the file's time down: a login from a credential helper, and an allow list.
  it("a registry that needs a login: refused in one line without one; the push uses docker login's config.json, the nodes' pulls a credential helper's login; an allow list: the proxy service reaches the listed host, another is refused with the explanation line, no direct way out", async () => {
    const {url, username, password} = cluster.loginRegistry
    const host = new URL(url).host
    const withLogin = suite.tempDir('docker-config-')
    const auth = Buffer.from(`${username}:${password}`).toString('base64')
    fs.writeFileSync(path.join(withLogin, 'config.json'), JSON.stringify({auths: {[host]: {auth}}}))
    // The same login kept by a credential helper instead (`docker-credential-satest get`, the host on stdin), as
    // `credHelpers` names it; the helper records what it was asked.
    const withHelper = suite.tempDir('docker-config-')
    fs.writeFileSync(
      path.join(withHelper, 'config.json'),
      JSON.stringify({auths: {[host]: {}}, credHelpers: {[host]: 'satest'}}),
    )
    const helperDir = suite.tempDir('cred-helper-')
    const asked = path.join(helperDir, 'asked')
    const answer = JSON.stringify({ServerURL: host, Username: username, Secret: password})
    fs.writeFileSync(
      path.join(helperDir, 'docker-credential-satest'),
      `#!/bin/sh\n[ "$1" = get ] || exit 1\ncat >> ${asked}; echo >> ${asked}\nprintf '%s\\n' '${answer}'\n`,
      {mode: 0o755},
    )
    const helperEnv = {...env, DOCKER_CONFIG: withHelper, PATH: `${helperDir}:${process.env.PATH ?? ''}`}
    // The allowed host: an HTTP server of the test's own, on the host's end of the cluster's switch.
    const address = new URL(cluster.registry).hostname
    const hits: string[] = []
    const web = http.createServer((req, res) => {
      hits.push(req.url ?? '')
      res.end('hello from the allowed host\n')
    })
    await new Promise<void>((resolve) => web.listen(0, address, resolve))
    const port = (web.address() as AddressInfo).port
    const project = suite.project({'README.md': 'x\n'})
    const tasks = suite.tasksFile([{id: 'login0', cwd: project, prompt: 'TASK login0: fetch'}])
    suite.script = () => ({
      command:
        `curl -sS http://${address}:${port}/allowed > got.txt; curl -sS http://not-listed.test/; ` +
        `curl -sS --noproxy '*' --max-time 5 http://${address}:${port}/direct; true`,
    })
    const out = suite.tempDir('swarm-out-')
    const batchArgs = (dir: string) => [tasks, '--out', dir, '--engine', 'swarm', '--registry', url]
    try {
      const refused = await suite.batch(batchArgs(suite.tempDir('swarm-out-')), {
        ...env,
        DOCKER_CONFIG: suite.tempDir('docker-config-'),
      })
      expect(refused.code).toBe(3)
      expect(refused.stderr).toContain(`the registry ${host} needs a login`)
      expect(refused.stderr).toContain(`docker login ${host}`)

      const pushed = await run(process.execPath, [CLI, 'sandbox', 'build', '--push', url], {
        env: suite.env({DOCKER_CONFIG: withLogin}) as NodeJS.ProcessEnv,
        cwd: suite.home,
      })
      expect(pushed.stdout).toContain(`${host}/${defaultImageName()}`)
      // No node has the image under this registry's name (an earlier run's tag is taken off; the layers stay): the
      // task starts only if its node pulled with the login (Swarm runs a local image when a pull fails).
      const reference = `${host}/${defaultImageName()}`
      await Promise.all(
        cluster.nodes.map((node) => exec('docker', ['-H', node.host, 'rmi', reference]).catch(() => {})),
      )
      const done = await suite.batch([...batchArgs(out), '--allow-host', `${address}:${port}`], helperEnv)
      expect(done.code, done.stderr).toBe(0)
      expect(done.stderr).toContain('Done: 1 succeeded, 0 failed')
      // Asked once for this registry (the login is read once per batch, then given with each service).
      expect(fs.readFileSync(asked, 'utf8')).toBe(`${host}\n`)

      // The allow list: the listed host answered through the proxy; only the proxy's request arrived (the sandbox's
      // own, --noproxy, had no route); the other host was refused, and the model was told why in one line.
      expect(fs.readFileSync(path.join(out, 'login0', 'changes.patch'), 'utf8')).toContain(
        '+hello from the allowed host',
      )
      expect(hits).toEqual(['/allowed'])
      expect(fs.readFileSync(path.join(out, 'login0', 'transcript.jsonl'), 'utf8')).toContain(
        'network: refused not-listed.test:80 (not in sandbox.network.allow; add it, or run with --allow-host not-listed.test)',
      )
      // The session's and the proxy's services, and their three networks, are gone.
      expect(await services()).toEqual([])
      await noContainersLeft()
      await noNetworksLeft()
    } finally {
      web.close()
    }
  }, 300_000)

  it('agent sandbox prune --engine swarm removes what a SIGKILLed batch left on the cluster', async () => {
    const projects = Array.from({length: 3}, () => suite.project({'README.md': 'x\n'}))
    const tasks = projects.map((dir, i) => ({id: `k${i}`, cwd: dir, prompt: `TASK k${i}: hang`}))
    suite.script = () => ({command: 'sleep 600'})
    const batch = suite.spawnBatch(
      [suite.tasksFile(tasks), '--out', suite.tempDir('swarm-out-'), '--engine', 'swarm', '--parallel', '3'],
      env,
    )
    await waitFor(() => tasks.every((task) => asked(task.id) === 1), 120_000)
    batch.kill('SIGKILL')
    await batch.exited
    const left = (await services()).map((service) => service.Spec!.Name!)
    expect(left).toHaveLength(3)

    const pruned = await run(process.execPath, [CLI, 'sandbox', 'prune', '--engine', 'swarm'], {
      env: suite.env(env) as NodeJS.ProcessEnv,
      cwd: suite.home,
    })
    for (const name of left) {
      expect(pruned.stdout).toContain(`removed service ${name}\n`)
      expect(pruned.stdout).toContain(`removed network ${name}-net\n`)
    }
    expect(await services()).toEqual([])
    await noContainersLeft()
    await noNetworksLeft()
  }, 300_000)
})
