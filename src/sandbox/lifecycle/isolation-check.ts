// Fail closed: what the container must look like from outside (inspect) and inside (runner self-test) before use.
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../../config/schema.js'
import {MOUNT_LOWER_DIR, WORKSPACE_DIR} from './container-spec.js'

/** What the runner reports about itself from inside the container. */
export interface SelfTestReport {
  uid: number
  gid: number
  capEff: string
  noNewPrivs: string
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
export function inspectProblems(info: Dockerode.ContainerInspectInfo, settings: SandboxSettings): string[] {
  const problems: string[] = []
  const host = info.HostConfig
  if (host.NetworkMode !== settings.network)
    problems.push(`network mode is ${host.NetworkMode}, expected ${settings.network}`)
  if (!host.CapDrop?.includes('ALL')) problems.push('capabilities are not all dropped')
  if ((host.CapAdd ?? []).length > 0) problems.push(`capabilities added: ${host.CapAdd?.join(', ')}`)
  if (host.Privileged) problems.push('the container is privileged')
  if (!host.SecurityOpt?.includes('no-new-privileges')) problems.push('no-new-privileges is not set')
  if (!host.ReadonlyRootfs) problems.push('the root filesystem is writable')
  if (!host.Memory || host.MemorySwap !== host.Memory) problems.push('memory (with swap) is not limited')
  if (!host.PidsLimit || host.PidsLimit <= 0) problems.push('the process count is not limited')
  const tmpOptions = host.Tmpfs?.['/tmp']
  if (tmpOptions === undefined || !/(^|,)size=\d/.test(tmpOptions)) problems.push('/tmp is not a size-capped tmpfs')
  if ((host.Binds ?? []).length > 0) problems.push(`host directories are bound: ${host.Binds?.join(', ')}`)
  const user = info.Config.User
  if (!user || user === 'root' || user.startsWith('0:') || user === '0') problems.push('the container runs as root')
  for (const mount of info.Mounts ?? []) {
    const source = mount.Source ?? ''
    if (source.includes('docker.sock')) problems.push(`the Docker socket is mounted at ${mount.Destination}`)
    if (mount.Type === 'bind') {
      const allowed = settings.mount && mount.Destination === MOUNT_LOWER_DIR && !mount.RW
      if (!allowed)
        problems.push(`host path ${source} is mounted at ${mount.Destination}${mount.RW ? ' writable' : ''}`)
    } else if (mount.Type === 'volume' && mount.Destination !== WORKSPACE_DIR) {
      problems.push(`unexpected volume at ${mount.Destination}`)
    }
  }
  return problems
}

/** Problems the runner sees from inside; empty when isolation holds. */
export function selfTestProblems(report: SelfTestReport, settings: SandboxSettings): string[] {
  const problems: string[] = []
  if (report.uid === 0 || report.gid === 0) problems.push('commands run as root')
  if (!/^0+$/.test(report.capEff)) problems.push(`effective capabilities are ${report.capEff}, expected none`)
  if (report.noNewPrivs !== '1') problems.push('no-new-privileges does not hold inside the container')
  if (report.dockerSocket) problems.push('a Docker socket is reachable inside the container')
  if (settings.network === 'none') {
    const interfaces = report.interfaces.filter((name) => name !== 'lo')
    if (interfaces.length > 0) problems.push(`network interfaces present with network "none": ${interfaces.join(', ')}`)
    for (const [target, outcome] of Object.entries(report.probes)) {
      if (outcome === 'connected') problems.push(`a connection to ${target} succeeded with network "none"`)
    }
  }
  return problems
}
