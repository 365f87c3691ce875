// Decides what `agent sandbox prune` removes (a pure plan: only what no live session uses) and carries the plan out.
import type Docker from 'dockerode'

import {
  dockerMessage,
  dockerStatusCode,
  isDockerConnectionError,
  toDockerError,
  type DockerEndpoint,
} from '../docker-client.js'
import {removeNetwork} from '../network/session-network.js'
import type {Inventory, ManagedContainer, ManagedImage, ManagedNetwork, ManagedVolume} from './list-managed.js'

export interface PruneOptions {
  /** Also remove kept containers and this tool's images. */
  all: boolean
  /** Also remove containers whose owner is alive, on another host or unknown (other sessions may be using them). */
  force: boolean
  /** Now, for the age of volumes without an owner (tests pass a fixed clock). */
  now?: Date
  /** A volume no container uses and without owner labels is removed only when older than this (ms). */
  volumeGraceMs?: number
}

export interface PruneItem<T> {
  item: T
  reason: string
}

export interface PrunePlan {
  containers: Array<PruneItem<ManagedContainer>>
  volumes: Array<PruneItem<ManagedVolume>>
  networks: Array<PruneItem<ManagedNetwork>>
  images: Array<PruneItem<ManagedImage>>
  /** What stays, and why (shown by --dry-run and in the summary). */
  kept: Array<{kind: PruneKind; id: string; reason: string}>
}

export type PruneKind = 'container' | 'volume' | 'network' | 'image'

const RUNNING_STATES = new Set(['running', 'paused', 'restarting'])

/** Which containers, volumes and images to remove. Anything a live process may be using stays unless --force. */
export function planPrune(inventory: Inventory, options: PruneOptions): PrunePlan {
  const plan: PrunePlan = {containers: [], volumes: [], networks: [], images: [], kept: []}
  const now = (options.now ?? new Date()).getTime()
  const grace = options.volumeGraceMs ?? 10 * 60_000

  for (const c of inventory.containers) {
    const verdict = containerVerdict(c, options)
    if (verdict.remove) plan.containers.push({item: c, reason: verdict.reason})
    else plan.kept.push({kind: 'container', id: shortId(c.id), reason: verdict.reason})
  }

  const removed = new Set(plan.containers.map((p) => p.item.id))
  const staying = inventory.containers.filter((c) => !removed.has(c.id))
  const usedByStaying = new Set(staying.flatMap((c) => c.volumes))
  const usedByRemoved = new Set(plan.containers.flatMap((p) => p.item.volumes))
  for (const v of inventory.volumes) {
    if (usedByStaying.has(v.name)) {
      plan.kept.push({kind: 'volume', id: v.name, reason: 'used by a container that stays'})
    } else if (usedByRemoved.has(v.name)) {
      plan.volumes.push({item: v, reason: 'its container is removed'})
    } else if (v.owner === 'alive' && !options.force) {
      plan.kept.push({kind: 'volume', id: v.name, reason: 'its owner process is running'})
    } else if (v.owner === 'orphan' || options.force) {
      plan.volumes.push({
        item: v,
        reason: v.owner === 'orphan' ? 'unused; its owner process is gone' : 'unused (--force)',
      })
    } else if (v.created && now - Date.parse(v.created) > grace) {
      plan.volumes.push({item: v, reason: 'unused'})
    } else {
      plan.kept.push({kind: 'volume', id: v.name, reason: 'unused but new (a session may be starting)'})
    }
  }

  // A session network serves its session's containers (the sandbox and its proxy): it goes when none of them stays.
  const stayingSessions = new Set(staying.map((c) => c.sessionId).filter(Boolean))
  for (const n of inventory.networks) {
    const verdict = networkVerdict(n, stayingSessions, options)
    if (verdict.remove) plan.networks.push({item: n, reason: verdict.reason})
    else plan.kept.push({kind: 'network', id: n.name, reason: verdict.reason})
  }

  const imagesInUse = new Set(staying.map((c) => c.imageId))
  for (const image of inventory.images) {
    const id = image.tags[0] ?? shortId(image.id)
    if (!options.all) plan.kept.push({kind: 'image', id, reason: 'images go only with --all'})
    else if (imagesInUse.has(image.id)) plan.kept.push({kind: 'image', id, reason: 'used by a container that stays'})
    else plan.images.push({item: image, reason: '--all'})
  }
  return plan
}

function containerVerdict(c: ManagedContainer, options: PruneOptions): {remove: boolean; reason: string} {
  const running = RUNNING_STATES.has(c.state)
  if (c.owner === 'alive') {
    return options.force
      ? {remove: true, reason: `${c.state}; owner ${c.ownerPid} is running (--force)`}
      : {remove: false, reason: `in use: its owner process ${c.ownerPid} is running`}
  }
  if (c.kept) {
    return options.all || options.force
      ? {remove: true, reason: `kept session, ${c.state} (--all)`}
      : {remove: false, reason: 'kept for agent diff/apply (remove with --all)'}
  }
  if (c.idle) return {remove: true, reason: `idle warm container for --reuse, ${c.state}`}
  if (c.pool) return {remove: true, reason: `warm pool container, ${c.state}`}
  if (c.owner === 'orphan') return {remove: true, reason: `${c.state}; its owner process ${c.ownerPid} is gone`}
  if (running) {
    const whose = c.owner === 'other-host' ? 'owned by a process on another host' : 'owner unknown'
    return options.force
      ? {remove: true, reason: `${c.state}, ${whose} (--force)`}
      : {remove: false, reason: `${c.state}, ${whose}`}
  }
  return {remove: true, reason: c.state}
}

function networkVerdict(
  n: ManagedNetwork,
  stayingSessions: ReadonlySet<string | undefined>,
  options: PruneOptions,
): {remove: boolean; reason: string} {
  if (n.sessionId && stayingSessions.has(n.sessionId)) return {remove: false, reason: 'its session stays'}
  if (n.owner === 'alive' && !options.force)
    return {remove: false, reason: `in use: its owner process ${n.ownerPid} is running (a session may be starting)`}
  if (n.owner === 'other-host' && !options.force) return {remove: false, reason: 'owned by a process on another host'}
  if (n.owner === 'orphan') return {remove: true, reason: `its owner process ${n.ownerPid} is gone`}
  const forced = n.owner === 'alive' || n.owner === 'other-host'
  return {remove: true, reason: forced ? 'no container of its session (--force)' : 'no container of its session'}
}

export interface PruneReport {
  removed: Array<{kind: PruneKind; id: string}>
  failed: Array<{kind: PruneKind; id: string; error: string}>
}

/** Removes what the plan lists: containers first (with anonymous volumes), then networks, volumes and images. */
export async function executePrune(docker: Docker, endpoint: DockerEndpoint, plan: PrunePlan): Promise<PruneReport> {
  const report: PruneReport = {removed: [], failed: []}
  const attempt = async (kind: PruneKind, id: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn()
      report.removed.push({kind, id})
    } catch (error) {
      if (isDockerConnectionError(error)) throw toDockerError(error, endpoint)
      // Gone already (another prune, or the session finished): that is what we wanted.
      if (dockerStatusCode(error) === 404) report.removed.push({kind, id})
      else report.failed.push({kind, id, error: dockerMessage(error)})
    }
  }
  for (const {item} of plan.containers) {
    await attempt('container', shortId(item.id), () => docker.getContainer(item.id).remove({force: true, v: true}))
  }
  for (const {item} of plan.networks) {
    await attempt('network', item.name, () => removeNetwork(docker, item.id))
  }
  for (const {item} of plan.volumes) {
    await attempt('volume', item.name, () => docker.getVolume(item.name).remove())
  }
  for (const {item} of plan.images) {
    const name = item.tags[0] ?? item.id
    await attempt('image', name, async () => {
      // Untag every tag, then the image itself; never forced, so images other containers use stay.
      for (const tag of item.tags.slice(1)) await docker.getImage(tag).remove()
      await docker.getImage(name).remove()
    })
  }
  return report
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12)
}
