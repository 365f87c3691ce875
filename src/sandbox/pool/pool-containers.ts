// The warm pool's containers as the daemon lists them: which are waiting, for which key, and which are past use.
import type Dockerode from 'dockerode'

import {Labels} from '../labels.js'
import {SessionLabels, parseContainerName} from '../lifecycle/session-names.js'

/** A pool container is claimed within this long of being made, or removed by the next fill (or prune). */
export const POOL_EXPIRY_MS = 60 * 60_000
/** A pool container not running this long after it was made was left half-made (its filler was killed). */
export const POOL_START_GRACE_MS = 2 * 60_000

export interface PoolContainer {
  containerId: string
  sessionId: string
  key: string
  volume: string | undefined
  running: boolean
  createdMs: number
  expired: boolean
}

/** Every container still waiting in a pool (claimed ones are renamed and no longer count), oldest first. */
export async function listPoolContainers(docker: Dockerode, now = Date.now()): Promise<PoolContainer[]> {
  const listed = await docker.listContainers({all: true, filters: {label: [SessionLabels.pool]}})
  const result: PoolContainer[] = []
  for (const c of listed) {
    const parsed = parseContainerName(c.Names[0] ?? '')
    if (parsed?.state.kind !== 'pool') continue
    const labels = c.Labels ?? {}
    const createdMs = c.Created * 1000
    const running = c.State === 'running'
    const expires = Date.parse(labels[SessionLabels.poolExpires] ?? '')
    result.push({
      containerId: c.Id,
      sessionId: labels[Labels.sessionId] ?? parsed.id,
      key: labels[SessionLabels.pool] ?? '',
      volume: labels[SessionLabels.volume],
      running,
      createdMs,
      expired: !(expires > now) || (!running && now - createdMs > POOL_START_GRACE_MS),
    })
  }
  return result.sort((a, b) => a.createdMs - b.createdMs)
}
