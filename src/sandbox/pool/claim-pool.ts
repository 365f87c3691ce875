// Claim: takes a waiting container of the right pool for one session; it is renamed and never returns to the pool.
import type Dockerode from 'dockerode'

import {containerName} from '../lifecycle/session-names.js'
import {listPoolContainers} from './pool-containers.js'

export interface ClaimedContainer {
  container: Dockerode.Container
  sessionId: string
  volume: string | undefined
}

/**
 * The oldest running, unexpired container of this key, renamed to the session name owned by this process; the rename
 * fails when another process claimed it first, and the next one is tried. Undefined when none is left.
 */
export async function claimPoolContainer(docker: Dockerode, key: string): Promise<ClaimedContainer | undefined> {
  const waiting = await listPoolContainers(docker)
  for (const candidate of waiting) {
    if (candidate.key !== key || !candidate.running || candidate.expired) continue
    const container = docker.getContainer(candidate.containerId)
    try {
      await container.rename({name: containerName(candidate.sessionId, {kind: 'active', ownerPid: process.pid})})
    } catch {
      continue
    }
    return {container, sessionId: candidate.sessionId, volume: candidate.volume}
  }
  return undefined
}
