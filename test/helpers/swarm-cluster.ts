// A Swarm of three dockerd nodes made by the test: each in a network namespace of its own (so each has its own
// address, bridge and firewall), joined by a bridge in a fourth namespace, and a registry they pull the image from.
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import {createDockerFromEnv} from '../../src/sandbox/docker-connection.js'
import {canRunDockerd} from './second-dockerd.js'

export interface SwarmNodeHandle {
  name: string
  /** tcp://ADDR:2375 */
  host: string
  crash(): Promise<void>
  start(): Promise<void>
}

export interface SwarmCluster {
  /** The manager's engine: DOCKER_HOST for the CLI. */
  readonly manager: string
  /** http://ADDR:PORT, for `agent sandbox build --push` and `--registry`. */
  readonly registry: string
  /** The same registry's storage served behind a login (htpasswd): what `docker login` would be given. */
  readonly loginRegistry: {url: string; username: string; password: string}
  readonly nodes: readonly SwarmNodeHandle[]
  dispose(): Promise<void>
}

/** Root, dockerd, the registry (Debian's docker-registry package) and the tools to make namespaces. */
export function canRunSwarm(): boolean {
  if (!canRunDockerd()) return false
  try {
    for (const tool of ['docker-registry', 'htpasswd', 'unshare', 'nsenter', 'ip'])
      execFileSync('which', [tool], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

const SUBNET = '10.231.9'
const PORT = 2375
/**
 * Node images survive between runs here (a first pull of the sandbox image takes tens of seconds); Swarm, network and
 * container state is wiped at every start.
 */
const CACHE = process.env.SANDBOX_AGENT_SWARM_CACHE ?? '/var/tmp/sandbox-agent-swarm-test'

const LOGIN = {username: 'agent', password: 'registry-secret'}

const ip = (...args: string[]) => execFileSync('ip', args, {stdio: 'pipe'})

export async function startSwarmCluster(): Promise<SwarmCluster> {
  const tag = `sasw${process.pid % 10000}`
  const sw = `${tag}-0`
  const hostIf = `${tag}h`
  const namespaces: string[] = []
  fs.mkdirSync(CACHE, {recursive: true})
  const nodes: (SwarmNodeHandle & {stop(): Promise<void>; running(): boolean})[] = []
  const docker = (host: string) => createDockerFromEnv({DOCKER_HOST: host})
  const registryProcesses: ChildProcess[] = []
  const dispose = async () => {
    for (const node of nodes) {
      await docker(node.host)
        .swarmLeave({force: true})
        .catch(() => undefined)
    }
    // A node whose daemon was killed still has its containerd and containers: started again, it stops them.
    for (const node of nodes) {
      if (!node.running()) await node.start().catch(() => undefined)
      await node.stop().catch(() => undefined)
    }
    for (const registry of registryProcesses) registry.kill('SIGTERM')
    try {
      ip('link', 'delete', hostIf)
    } catch {
      // gone with its namespace
    }
    for (const ns of namespaces) {
      try {
        ip('netns', 'delete', ns)
      } catch {
        // already gone
      }
    }
  }
  try {
    return await setUp()
  } catch (error) {
    await dispose()
    throw error
  }

  async function setUp(): Promise<SwarmCluster> {
    // The switch: a bridge in a namespace of its own (the host's firewall never sees the nodes' traffic).
    ip('netns', 'add', sw)
    namespaces.push(sw)
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', sw, 'link', 'set', 'br0', 'up')
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'up0', 'netns', sw)
    ip('-n', sw, 'link', 'set', 'up0', 'master', 'br0', 'up')
    ip('addr', 'add', `${SUBNET}.1/24`, 'dev', hostIf)
    ip('link', 'set', hostIf, 'up')

    // The registry, on the host side of the switch; the same storage behind a login on the next port.
    const registryRoot = path.join(CACHE, 'registry')
    fs.mkdirSync(registryRoot, {recursive: true})
    const htpasswd = path.join(CACHE, 'registry.htpasswd')
    fs.writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', LOGIN.username, LOGIN.password]))
    for (const [port, auth] of [
      [5000, ''],
      [5001, `auth:\n  htpasswd:\n    realm: test\n    path: ${htpasswd}\n`],
    ] as const) {
      const registryConfig = path.join(CACHE, `registry-${port}.yml`)
      fs.writeFileSync(
        registryConfig,
        `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${registryRoot}\n` +
          `  delete:\n    enabled: true\nhttp:\n  addr: ${SUBNET}.1:${port}\n${auth}`,
      )
      registryProcesses.push(spawn('docker-registry', ['serve', registryConfig], {stdio: 'ignore'}))
    }

    for (const n of [1, 2, 3]) {
      const ns = `${tag}-${n}`
      ip('netns', 'add', ns)
      namespaces.push(ns)
      ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `v${n}`, 'netns', sw)
      ip('-n', sw, 'link', 'set', `v${n}`, 'master', 'br0', 'up')
      ip('-n', ns, 'addr', 'add', `${SUBNET}.1${n}/24`, 'dev', 'eth0')
      ip('-n', ns, 'link', 'set', 'eth0', 'up')
      ip('-n', ns, 'link', 'set', 'lo', 'up')
      const root = path.join(CACHE, `node${n}`)
      // A run killed half-way leaves namespace and overlay mounts under the node's folders: let go of them first.
      const mounts = fs
        .readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[1] ?? '')
      for (const mount of mounts
        .filter((m) => m.startsWith(`${root}/`))
        .sort()
        .reverse())
        execFileSync('umount', ['-l', mount], {stdio: 'ignore'})
      for (const stale of ['data/swarm', 'data/network', 'data/containers', 'data/volumes', 'exec'])
        fs.rmSync(path.join(root, stale), {recursive: true, force: true})
      fs.mkdirSync(root, {recursive: true})
      const host = `tcp://${SUBNET}.1${n}:${PORT}`
      let daemon: ChildProcess | undefined
      const start = async () => {
        const log = fs.openSync(path.join(root, 'dockerd.log'), 'a')
        // Only the network namespace is entered (`ip netns exec` would remount /sys and hide the cgroups).
        daemon = spawn(
          'unshare',
          [
            '--uts',
            'sh',
            '-c',
            `hostname node${n}; exec nsenter --net=/var/run/netns/${ns} dockerd --tls=false --host ${host} ` +
              `--data-root ${root}/data --exec-root ${root}/exec --pidfile ${root}/dockerd.pid ` +
              `--containerd-namespace ${tag}-${n} --containerd-plugins-namespace ${tag}-${n}p ` +
              `--no-new-privileges --insecure-registry ${SUBNET}.1:5000 --insecure-registry ${SUBNET}.1:5001`,
          ],
          {stdio: ['ignore', log, log]},
        )
        fs.closeSync(log)
        await waitForDaemon(host)
      }
      const stop = async (signal: NodeJS.Signals) => {
        const running = daemon
        if (!running || running.exitCode !== null || running.signalCode !== null) return
        const exited = new Promise((resolve) => running.once('exit', resolve))
        running.kill(signal)
        await exited
      }
      nodes.push({
        name: `node${n}`,
        host,
        start,
        crash: () => stop('SIGKILL'),
        stop: () => stop('SIGTERM'),
        running: () => daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null,
      })
    }
    await Promise.all(nodes.map((node) => node.start()))
    const manager = nodes[0]!.host
    await docker(manager).swarmInit({ListenAddr: `${SUBNET}.11:2377`, AdvertiseAddr: `${SUBNET}.11:2377`})
    const token = ((await docker(manager).swarmInspect()) as {JoinTokens: {Worker: string}}).JoinTokens.Worker
    for (const node of nodes.slice(1))
      await docker(node.host).swarmJoin({
        ListenAddr: `0.0.0.0:2377`,
        AdvertiseAddr: node.host.replace('tcp://', '').replace(`:${PORT}`, ':2377'),
        RemoteAddrs: [`${SUBNET}.11:2377`],
        JoinToken: token,
      })

    return {
      manager,
      registry: `http://${SUBNET}.1:5000`,
      loginRegistry: {url: `http://${SUBNET}.1:5001`, ...LOGIN},
      nodes,
      dispose,
    }
  }
}

async function waitForDaemon(host: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const docker = createDockerFromEnv({DOCKER_HOST: host})
  for (;;) {
    try {
      await docker.ping()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}
