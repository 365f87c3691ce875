// Fail closed on Swarm: the task's container as its node's engine shows it, and the runner's self-test from inside.
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../../config/schema.js'
import {RUNNER_ROOT_USER, WORKSPACE_DIR} from '../lifecycle/container-spec.js'
import {selfTestProblems, type SelfTestReport} from '../lifecycle/isolation-check.js'
import {RUNNER_CAPABILITIES, type RunnerUser} from '../lifecycle/runner-user.js'

/**
 * What Swarm can express is checked on the container (no capability but the runner's two, not privileged, read-only
 * root, memory and process limits, tmpfs /tmp, no bind, only the session's network); no-new-privileges, which a
 * Swarm service cannot ask for on this API, must come from the node's daemon (`no-new-privileges: true`) and is
 * checked from inside by the self-test, as the user, network and capabilities are.
 */
export function swarmIsolationProblems(
  info: Dockerode.ContainerInspectInfo,
  report: SelfTestReport,
  settings: SandboxSettings,
  runnerUser: RunnerUser,
  sessionNetwork: string,
  expectedRunner: RunnerUser,
): string[] {
  const problems: string[] = []
  const host = info.HostConfig
  if (!((host.CapDrop ?? []) as string[]).some((cap) => /^(CAP_)?ALL$/i.test(cap)))
    problems.push('capabilities are not all dropped')
  const allowed: readonly string[] = runnerUser === 'separate' ? RUNNER_CAPABILITIES : []
  const added = ((host.CapAdd ?? []) as string[]).filter(
    (cap) => !allowed.includes(cap.replace(/^CAP_/i, '').toUpperCase()),
  )
  if (added.length > 0) problems.push(`capabilities added: ${added.join(', ')}`)
  if (host.Privileged) problems.push('the container is privileged')
  if (!host.ReadonlyRootfs) problems.push('the root filesystem is writable')
  if (!host.Memory) problems.push('memory is not limited')
  if (!host.PidsLimit || host.PidsLimit <= 0) problems.push('the process count is not limited')
  const networks = Object.keys(info.NetworkSettings?.Networks ?? {})
  const others = networks.filter((name) => name !== sessionNetwork)
  if (others.length > 0) problems.push(`attached to other networks than the session's: ${others.join(', ')}`)
  const user = info.Config.User
  if (runnerUser === 'separate' ? user !== RUNNER_ROOT_USER : !user || user === 'root' || /^0(:|$)/.test(user))
    problems.push(runnerUser === 'separate' ? `the runner runs as ${user}` : 'the container runs as root')
  let tmp = false
  for (const mount of info.Mounts ?? []) {
    if ((mount.Source ?? '').includes('docker.sock'))
      problems.push(`the Docker socket is mounted at ${mount.Destination}`)
    if (mount.Type === 'bind') problems.push(`host path ${mount.Source} is mounted at ${mount.Destination}`)
    else if (mount.Type === 'volume' && mount.Destination !== WORKSPACE_DIR)
      problems.push(`unexpected volume at ${mount.Destination}`)
    if ((mount.Type as string) === 'tmpfs' && mount.Destination === '/tmp') tmp = true
  }
  const tmpfsMounts = (host as {Mounts?: {Type?: string; Target?: string; TmpfsOptions?: {SizeBytes?: number}}[]})
    .Mounts
  if (
    !tmp &&
    !tmpfsMounts?.some((m) => m.Type === 'tmpfs' && m.Target === '/tmp' && (m.TmpfsOptions?.SizeBytes ?? 0) > 0)
  )
    problems.push('/tmp is not a size-capped tmpfs')
  // Inside: the one interface besides lo is the session's internal network (probes out must fail all the same).
  const inside = selfTestProblems(report, {...settings, network: {allow: []}}, expectedRunner)
  problems.push(...inside)
  if (report.interfaces.filter((name) => name !== 'lo').length > 1)
    problems.push(`more than one network interface: ${report.interfaces.join(', ')}`)
  return problems
}

/** The session network as the manager has it: internal (no way out, no docker_gwbridge on the task). */
export function sessionNetworkProblems(info: {Name?: string; Internal?: boolean}): string[] {
  return info.Internal === true ? [] : [`the session network ${info.Name ?? ''} is not internal`]
}
