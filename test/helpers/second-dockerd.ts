// A second dockerd of our own on a loopback TCP port (its own bridge, data root and containerd namespace): a remote
// engine reached only through DOCKER_HOST, and one a test may stop or crash. Give each user its own port and subnet.
import {execFileSync, execSync, spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {createDockerFromEnv} from '../../src/sandbox/docker-connection.js'

export interface SecondDockerd {
  readonly host: string
  /** Starts the daemon (again, on the same data root) and waits until it answers. */
  start(): Promise<void>
  /** SIGTERM to the daemon we started (by its pid); resolves when it has exited. */
  stop(): Promise<void>
  /** SIGKILL to the daemon (a crash: connections drop at once; its containerd and containers live on until start()). */
  crash(): Promise<void>
  /** Stops it if running, removes its bridge and data root. */
  dispose(): Promise<void>
}

/** dockerd can be started only as root, with the binary installed. */
export function canRunDockerd(): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('dockerd', ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

export function secondDockerd(options: {port: number; bridgeAddress: string; name: string}): SecondDockerd {
  const host = `tcp://127.0.0.1:${options.port}`
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `dockerd-${options.name}-`))
  // Its own bridge: with `--bridge none` dockerd would delete the host's docker0 (it shares our network namespace).
  const bridge = `sa-${options.name.slice(0, 3)}-${process.pid % 100000}`
  let daemon: ChildProcess | undefined
  let bridgeMade = false
  let crashed = false

  async function start(): Promise<void> {
    if (!bridgeMade) {
      execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge'])
      bridgeMade = true
      execFileSync('ip', ['addr', 'add', options.bridgeAddress, 'dev', bridge])
    }
    const log = fs.openSync(path.join(root, 'dockerd.log'), 'a')
    daemon = spawn(
      'dockerd',
      [
        '--host',
        host,
        '--data-root',
        path.join(root, 'data'),
        '--exec-root',
        path.join(root, 'exec'),
        '--pidfile',
        path.join(root, 'dockerd.pid'),
        '--bridge',
        bridge,
        '--iptables=false',
        '--ip-masq=false',
        '--containerd-namespace',
        `sandbox-${options.name}-${process.pid}`,
        '--containerd-plugins-namespace',
        `sandbox-${options.name}-plugins-${process.pid}`,
      ],
      {stdio: ['ignore', log, log]},
    )
    fs.closeSync(log)
    await waitForDaemon(host, 30_000)
  }

  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const running = daemon
    if (!running?.pid || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill(signal)
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))])
    if (running.exitCode === null && running.signalCode === null) {
      running.kill('SIGKILL')
      await exited
    }
  }

  return {
    host,
    start,
    stop: () => stop('SIGTERM'),
    async crash() {
      crashed = true
      await stop('SIGKILL')
    },
    async dispose() {
      // After a crash its containerd and containers still run: a restarted daemon takes them over and stops them.
      if (crashed && (!daemon || daemon.exitCode !== null || daemon.signalCode !== null))
        await start().catch(() => undefined)
      await stop()
      if (bridgeMade) {
        try {
          execFileSync('ip', ['link', 'delete', bridge], {stdio: 'ignore'})
        } catch {
          // already gone
        }
      }
      execFileSync('rm', ['-rf', root])
    },
  }
}

/** Copies an image from the main daemon into the second one (never pulled). */
export function loadImage(image: string, host: string): void {
  execSync(`docker save ${image} | docker -H ${host} load -q`, {stdio: 'ignore', shell: '/bin/bash'})
}

async function waitForDaemon(host: string, timeoutMs: number): Promise<void> {
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
