// Where `agent sandbox ls` and `prune` start: the daemon reached, then everything of this tool on it listed, each
// container's owner process checked on this host.
import type Docker from 'dockerode'

import {connectAndPingDocker, type DockerEndpoint} from '../docker-client.js'
import {listManaged, type Inventory} from './list-managed.js'
import {localOwnerProbe} from './owner-status.js'

export interface LocalInventory {
  inventory: Inventory
  /** The connection it was listed over, for acting on what it lists (prune). */
  docker: Docker
  endpoint: DockerEndpoint
}

/** `labels`: extra label filters (`key` or `key=value`), all of which must match, on top of the managed label. */
export async function listLocalInventory(labels: readonly string[] = []): Promise<LocalInventory> {
  const {docker, endpoint} = await connectAndPingDocker()
  const inventory = await listManaged(docker, endpoint, {labels: [...labels], probe: localOwnerProbe()})
  return {inventory, docker, endpoint}
}
