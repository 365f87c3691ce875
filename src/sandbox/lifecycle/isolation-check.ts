// Fail closed: what the container must look like from outside (inspect) and inside (runner self-test) before use.
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../../config/schema.js'
import {RUNNER_ROOT_USER, WORKSPACE_DIR} from './container-spec.js'
import {RUNNER_CAPABILITIES, RUNNER_CAPABILITY_BITS, type RunnerUser} from './runner-user.js'

/** What the runner reports from inside the container; uid to noNewPrivs are what a command runs with. */
export interface SelfTestReport {
  uid: number
  gid: number
  capEff: string
  noNewPrivs: string
  /** Protocol 3: a command's real, effective and saved ids, groups and other capability sets (capInh, capBnd: 5). */
  command?: {
    uid: number[]
    gid: number[]
    groups: string
    capPrm: string
    capAmb: string
    capInh?: string
    capBnd?: string
  }
  /** Protocol 3: the runner's own real uid and capabilities, and whether it runs apart from the commands. */
  runner?: {separated: boolean; uid: number; capPrm: string; capEff: string}
  interfaces: string[]
  probes: Record<string, string>
  dockerSocket: boolean
  env: string[]
}

/** Addresses a sandbox without network must not reach (any answer other than "connected" passes). */
export const NETWORK_PROBES = [
  {host: '1.1.1.1', port: 443, timeoutMs: 1500},
  {host: '172.17.0.1', port: 2375, timeoutMs: 1500},
]

/** Problems visible in `docker inspect`; empty when the container is configured as asked. */
export function inspectProblems(
  info: Dockerode.ContainerInspectInfo,
  settings: SandboxSettings,
  runnerUser: RunnerUser = 'agent',
  sessionNetwork?: string,
): string[] {
  const problems: string[] = []
  const host = info.HostConfig
  const expected = typeof settings.network === 'string' ? settings.network : (sessionNetwork ?? '(session network)')
  if (host.NetworkMode !== expected) problems.push(`network mode is ${host.NetworkMode}, expected ${expected}`)
  if (typeof settings.network !== 'string') {
    const attached = Object.keys(info.NetworkSettings?.Networks ?? {})
    const others = attached.filter((name) => name !== expected)
    if (others.length > 0) problems.push(`attached to other networks than the session's: ${others.join(', ')}`)
  }
  if (!host.CapDrop?.includes('ALL')) problems.push('capabilities are not all dropped')
  const allowedCaps: readonly string[] = runnerUser === 'separate' ? RUNNER_CAPABILITIES : []
  const added = (host.CapAdd ?? []).filter(
    (cap: string) => !allowedCaps.includes(cap.replace(/^CAP_/i, '').toUpperCase()),
  )
  if (added.length > 0) problems.push(`capabilities added: ${added.join(', ')}`)
  if (host.Privileged) problems.push('the container is privileged')
  if (!host.SecurityOpt?.includes('no-new-privileges')) problems.push('no-new-privileges is not set')
  if (!host.ReadonlyRootfs) problems.push('the root filesystem is writable')
  if (!host.Memory || host.MemorySwap !== host.Memory) problems.push('memory (with swap) is not limited')
  if (!host.PidsLimit || host.PidsLimit <= 0) problems.push('the process count is not limited')
  const tmpOptions = host.Tmpfs?.['/tmp']
  if (tmpOptions === undefined || !/(^|,)size=\d/.test(tmpOptions)) problems.push('/tmp is not a size-capped tmpfs')
  if ((host.Binds ?? []).length > 0) problems.push(`host directories are bound: ${host.Binds?.join(', ')}`)
  const user = info.Config.User
  // A separated runner starts as root (holding only SETUID/SETGID/SETPCAP) and runs every command as the agent.
  if (
    runnerUser === 'separate'
      ? user !== RUNNER_ROOT_USER
      : !user || user === 'root' || user.startsWith('0:') || user === '0'
  )
    problems.push(
      runnerUser === 'separate'
        ? `the runner runs as ${user}, expected ${RUNNER_ROOT_USER}`
        : 'the container runs as root',
    )
  for (const mount of info.Mounts ?? []) {
    const source = mount.Source ?? ''
    if (source.includes('docker.sock')) problems.push(`the Docker socket is mounted at ${mount.Destination}`)
    // No host path, not even with sandbox.mount (its copy helper binds the project, the session never does).
    if (mount.Type === 'bind') {
      problems.push(`host path ${source} is mounted at ${mount.Destination}${mount.RW ? ' writable' : ''}`)
    } else if (mount.Type === 'volume' && mount.Destination !== WORKSPACE_DIR) {
      problems.push(`unexpected volume at ${mount.Destination}`)
    }
  }
  return problems
}

/** Problems the runner sees from inside; empty when isolation holds. */
export function selfTestProblems(
  report: SelfTestReport,
  settings: SandboxSettings,
  runnerUser: RunnerUser = 'agent',
): string[] {
  const problems: string[] = []
  if (report.uid === 0 || report.gid === 0) problems.push('commands run as root')
  if (!/^0+$/.test(report.capEff)) problems.push(`effective capabilities are ${report.capEff}, expected none`)
  if (runnerUser === 'separate') problems.push(...separationProblems(report))
  if (report.noNewPrivs !== '1') problems.push('no-new-privileges does not hold inside the container')
  if (report.dockerSocket) problems.push('a Docker socket is reachable inside the container')
  if (settings.network !== 'bridge') {
    for (const [target, outcome] of Object.entries(report.probes)) {
      if (outcome === 'connected')
        problems.push(`a direct connection to ${target} succeeded with network "${describe(settings)}"`)
    }
  }
  if (settings.network === 'none') {
    const interfaces = report.interfaces.filter((name) => name !== 'lo')
    if (interfaces.length > 0) problems.push(`network interfaces present with network "none": ${interfaces.join(', ')}`)
  }
  return problems
}

/**
 * A separated runner: root with at most SETUID/SETGID/SETPCAP; commands with no root id, no group 0, no capability in
 * any set. An empty bounding set too: a command that found a way to exec something with more privilege (a kernel bug,
 * a missing no-new-privileges) could otherwise get back what the runner holds.
 */
function separationProblems(report: SelfTestReport): string[] {
  const {command, runner} = report
  if (!command || !runner?.separated)
    return ['the runner does not run apart from the commands (rebuild the image with `agent sandbox build`)']
  const problems: string[] = []
  const none = (caps: string): boolean => /^0+$/.test(caps)
  if (runner.uid !== 0) problems.push(`the runner runs as uid ${runner.uid}, expected 0`)
  if ((BigInt(`0x${runner.capPrm || '0'}`) & ~RUNNER_CAPABILITY_BITS) !== 0n)
    problems.push(`the runner holds capabilities ${runner.capPrm}, expected at most SETUID, SETGID and SETPCAP`)
  if ([...command.uid, ...command.gid].some((id) => id === 0)) problems.push('commands keep a root id')
  if (command.uid.some((id) => id !== report.uid) || command.gid.some((id) => id !== report.gid))
    problems.push('commands keep another user id (real, effective and saved must match)')
  if (command.groups.split(/\s+/).includes('0')) problems.push('commands are in group 0')
  if (!none(command.capPrm) || !none(command.capAmb) || (command.capInh !== undefined && !none(command.capInh)))
    problems.push('commands hold capabilities')
  if (command.capBnd === undefined)
    problems.push(
      "the image's runner leaves commands a capability bounding set (rebuild the image with `agent sandbox build`)",
    )
  else if (!none(command.capBnd)) problems.push(`commands keep capabilities ${command.capBnd} in their bounding set`)
  return problems
}

function describe(settings: SandboxSettings): string {
  return typeof settings.network === 'string' ? settings.network : 'allow list'
}
