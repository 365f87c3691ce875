// Lists the containers, volumes and images this tool created (by the managed label), with owner status and sizes.
import type Docker from 'dockerode'

import {parseContainerName} from '../lifecycle/session-names.js'

import {Labels, managedFilter} from '../labels.js'
import {NETWORK_ROLE} from '../network/session-network.js'
import {toDockerError, type DockerEndpoint} from '../docker-client.js'
import {ownerStatus, type OwnerProbe, type OwnerStatus} from './owner-status.js'

export interface ManagedContainer {
  id: string
  name: string
  image: string
  imageId: string
  /** created, running, paused, restarting, removing, exited, dead */
  state: string
  /** Docker's status text, e.g. "Exited (0) 5 minutes ago". */
  status: string
  created: string
  sessionId?: string
  workspace?: string
  owner: OwnerStatus
  ownerPid?: number
  /** Stopped and kept for `agent diff/apply` (the `--kept` name suffix, or the label set at creation). */
  kept: boolean
  /** Running and warm for `--reuse`, owned by nobody (the `--idle` name suffix). */
  idle: boolean
  /** Started and waiting in the warm pool (`sandbox.warmPool`), owned by nobody (the `--pool` name suffix). */
  pool: boolean
  /** Names of the named volumes it mounts. */
  volumes: string[]
  labels: Record<string, string>
}

export interface ManagedVolume {
  name: string
  created?: string
  owner: OwnerStatus
  labels: Record<string, string>
}

/** A session's internal network (sandbox.network allow lists); it goes when no container of its session stays. */
export interface ManagedNetwork {
  id: string
  name: string
  created: string
  sessionId?: string
  owner: OwnerStatus
  ownerPid?: number
  labels: Record<string, string>
}

export interface ManagedImage {
  id: string
  tags: string[]
  sizeBytes: number
  created: string
  definitionHash?: string
  builder?: string
  labels: Record<string, string>
}

export interface Inventory {
  containers: ManagedContainer[]
  volumes: ManagedVolume[]
  networks: ManagedNetwork[]
  images: ManagedImage[]
}

export interface ListOptions {
  /** Extra label filters ("key=value" or "key"), all of which must match, on top of the managed label. */
  labels?: string[]
  probe: OwnerProbe
}

/** Everything carrying the managed label (and the extra labels), newest first. */
export async function listManaged(docker: Docker, endpoint: DockerEndpoint, options: ListOptions): Promise<Inventory> {
  const filters = {label: [...(managedFilter().label ?? []), ...(options.labels ?? [])]}
  try {
    const [containers, volumes, networks, images] = await Promise.all([
      docker.listContainers({all: true, filters}),
      docker.listVolumes({filters}),
      // Only session networks: a Swarm manager's overlay networks carry the managed label too, and are its own.
      docker.listNetworks({filters: {label: [...filters.label, `${Labels.role}=${NETWORK_ROLE}`]}}),
      docker.listImages({filters}),
    ])
    return {
      containers: containers
        .map((c) => toManagedContainer(c, options.probe))
        .sort((a, b) => b.created.localeCompare(a.created)),
      volumes: (volumes.Volumes ?? []).map((v): ManagedVolume => {
        const labels = v.Labels ?? {}
        const volume: ManagedVolume = {name: v.Name, owner: ownerStatus(labels, options.probe), labels}
        const created = (v as {CreatedAt?: string}).CreatedAt
        if (created) volume.created = created
        return volume
      }),
      networks: networks
        .map((n) => toManagedNetwork(n, options.probe))
        .sort((a, b) => b.created.localeCompare(a.created)),
      images: images
        .map((i): ManagedImage => {
          const labels = i.Labels ?? {}
          const image: ManagedImage = {
            id: i.Id,
            tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
            sizeBytes: i.Size,
            created: new Date(i.Created * 1000).toISOString(),
            labels,
          }
          if (labels[Labels.imageDefinitionHash]) image.definitionHash = labels[Labels.imageDefinitionHash]
          if (labels[Labels.imageBuilder]) image.builder = labels[Labels.imageBuilder]
          return image
        })
        .sort((a, b) => b.created.localeCompare(a.created)),
    }
  } catch (error) {
    throw toDockerError(error, endpoint)
  }
}

/**
 * One container as prune and ls see it. Labels are fixed at creation, so a session's later state (kept, idle for
 * reuse, reused by another process) lives in its name: the name wins over the owner-pid label, or a kept session
 * whose CLI exited would look like an orphan and be pruned.
 */
export function toManagedContainer(c: Docker.ContainerInfo, probe: OwnerProbe): ManagedContainer {
  const labels = c.Labels ?? {}
  const name = (c.Names?.[0] ?? '').replace(/^\//, '')
  const state = parseContainerName(name)?.state
  const ownedLabels =
    state?.kind === 'kept' || state?.kind === 'idle' || state?.kind === 'pool' ? withoutOwner(labels) : labels
  const ownerPid =
    state?.kind === 'active' && state.ownerPid !== undefined ? state.ownerPid : Number(ownedLabels[Labels.ownerPid])
  const container: ManagedContainer = {
    id: c.Id,
    name,
    image: c.Image,
    imageId: c.ImageID,
    state: c.State,
    status: c.Status,
    created: new Date(c.Created * 1000).toISOString(),
    owner: ownerStatus(
      {...ownedLabels, ...(Number.isInteger(ownerPid) && ownerPid > 0 ? {[Labels.ownerPid]: String(ownerPid)} : {})},
      probe,
    ),
    kept: state?.kind === 'kept' || labels[Labels.kept] === 'true',
    idle: state?.kind === 'idle',
    pool: state?.kind === 'pool',
    volumes: (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name as string),
    labels,
  }
  if (labels[Labels.sessionId]) container.sessionId = labels[Labels.sessionId]
  if (labels[Labels.workspace]) container.workspace = labels[Labels.workspace]
  if (container.owner !== 'unknown' && Number.isInteger(ownerPid) && ownerPid > 0) container.ownerPid = ownerPid
  return container
}

function toManagedNetwork(n: Docker.NetworkInspectInfo, probe: OwnerProbe): ManagedNetwork {
  const labels = n.Labels ?? {}
  const network: ManagedNetwork = {
    id: n.Id,
    name: n.Name,
    created: n.Created,
    owner: ownerStatus(labels, probe),
    labels,
  }
  if (labels[Labels.sessionId]) network.sessionId = labels[Labels.sessionId]
  const ownerPid = Number(labels[Labels.ownerPid])
  if (network.owner !== 'unknown' && Number.isInteger(ownerPid) && ownerPid > 0) network.ownerPid = ownerPid
  return network
}

/** Kept, idle and pool containers belong to no process: the creator's pid label no longer means anything. */
function withoutOwner(labels: Record<string, string>): Record<string, string> {
  const {[Labels.ownerPid]: _pid, ...rest} = labels
  return rest
}
