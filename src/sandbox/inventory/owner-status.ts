// Is the CLI process that owns a container (owner pid + host labels) still alive? Decides "in use" versus "orphan".
import os from 'node:os'

import {Labels} from '../labels.js'

/** alive: owner runs on this host; orphan: it is gone; other-host: cannot tell from here; unknown: no owner labels. */
export type OwnerStatus = 'alive' | 'orphan' | 'other-host' | 'unknown'

export interface OwnerProbe {
  hostname: string
  isAlive(pid: number): boolean
}

export function localOwnerProbe(): OwnerProbe {
  return {hostname: os.hostname(), isAlive: isProcessAlive}
}

export function ownerStatus(labels: Record<string, string> | undefined, probe: OwnerProbe): OwnerStatus {
  const pidText = labels?.[Labels.ownerPid]
  if (!pidText) return 'unknown'
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) return 'unknown'
  const host = labels?.[Labels.ownerHost]
  if (host && host !== probe.hostname) return 'other-host'
  return probe.isAlive(pid) ? 'alive' : 'orphan'
}

/** Signal 0 checks existence: EPERM means it exists but belongs to someone else. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
