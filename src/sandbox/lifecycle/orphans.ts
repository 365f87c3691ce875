// Finds managed containers whose owning CLI process on this host is gone (for the start-up report and prune).
import os from 'node:os'
import type Dockerode from 'dockerode'

import {Labels, managedFilter} from '../labels.js'
import {isProcessAlive} from '../inventory/owner-status.js'
import {removeSessionNetwork} from '../network/session-network.js'
import {SessionLabels, parseContainerName, type SessionState} from './session-names.js'

export interface SandboxContainerInfo {
  containerId: string
  name: string
  sessionId: string
  workspace: string
  createdAt: string
  /** Docker's state: running, exited, created, ... */
  dockerState: string
  session: SessionState
  ownerPid?: number
  ownerHost?: string
  volume?: string
}

/** Every container this tool manages (running or not), with its session state decoded. */
export async function listSandboxContainers(client: Dockerode): Promise<SandboxContainerInfo[]> {
  const containers = await client.listContainers({all: true, filters: managedFilter()})
  const result: SandboxContainerInfo[] = []
  for (const container of containers) {
    const name = (container.Names[0] ?? '').replace(/^\//, '')
    const parsed = parseContainerName(name)
    const labels = container.Labels ?? {}
    // A session's companions (its network proxy) go with it; they are not sessions.
    if (labels[Labels.role]) continue
    const sessionId = labels[Labels.sessionId] ?? parsed?.id
    if (!sessionId) continue
    const labelPid = Number(labels[Labels.ownerPid])
    const session = parsed?.state ?? {kind: 'active'}
    const ownerPid =
      session.kind === 'active' ? (session.ownerPid ?? (Number.isFinite(labelPid) ? labelPid : undefined)) : undefined
    result.push({
      containerId: container.Id,
      name,
      sessionId,
      workspace: labels[Labels.workspace] ?? '',
      createdAt: labels[Labels.createdAt] ?? new Date(container.Created * 1000).toISOString(),
      dockerState: container.State,
      session,
      ...(ownerPid !== undefined ? {ownerPid} : {}),
      ...(labels[Labels.ownerHost] ? {ownerHost: labels[Labels.ownerHost]} : {}),
      ...(labels[SessionLabels.volume] ? {volume: labels[SessionLabels.volume]} : {}),
    })
  }
  return result
}

/**
 * Managed containers left behind by a CLI process that no longer runs on this host: not kept, not idle-for-reuse,
 * and their owner pid is dead. (Containers owned from another host are never reported: their owner may be alive.)
 */
export async function findOrphans(
  client: Dockerode,
  hostname: string = os.hostname(),
): Promise<SandboxContainerInfo[]> {
  const all = await listSandboxContainers(client)
  return all.filter(
    (info) =>
      info.session.kind === 'active' &&
      info.ownerHost === hostname &&
      info.ownerPid !== undefined &&
      info.ownerPid !== process.pid &&
      !isProcessAlive(info.ownerPid),
  )
}

/** Removes a session's container (killing whatever runs in it), its workspace volume and its network and proxy. */
export async function removeSandboxContainer(
  client: Dockerode,
  info: Pick<SandboxContainerInfo, 'containerId' | 'volume'> & {sessionId?: string},
): Promise<void> {
  try {
    await client.getContainer(info.containerId).remove({force: true, v: true})
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode !== 404) throw error
  }
  await Promise.all([
    info.volume ? removeVolume(client, info.volume) : undefined,
    info.sessionId ? removeSessionNetwork(client, info.sessionId) : undefined,
  ])
}

/**
 * Right after a forced container removal the daemon can still count the volume as in use (409) for a moment; a
 * volume given up on then would be left behind, so try again briefly.
 */
async function removeVolume(client: Dockerode, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.getVolume(name).remove()
      return
    } catch (error) {
      const status = (error as {statusCode?: number}).statusCode
      if (status === 404) return
      if (status !== 409 || attempt >= 10) throw error
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
}
