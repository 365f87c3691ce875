// The Docker engine of each Swarm node, reached directly: Swarm's manager API has no attach to a task's container.
import type Dockerode from 'dockerode'

import {createDockerFromEnv} from '../docker-connection.js'
import {LABEL_PREFIX} from '../labels.js'

/** Node label naming a node's engine endpoint when it differs from the manager's scheme and port at the node's address. */
export const NODE_ENGINE_LABEL = `${LABEL_PREFIX}.engine`

export interface SwarmNode {
  id: string
  hostname: string
  /** The node's address as Swarm knows it. */
  addr: string
  labels: Record<string, string>
}

/**
 * Clients for node engines, one per endpoint: the node's `dev.sandbox-agent.engine` label when set, else the manager's
 * DOCKER_HOST with the node's address in place of the manager's (same port, same TLS settings).
 */
export function nodeEngines(env: NodeJS.ProcessEnv): (node: SwarmNode) => Dockerode {
  const clients = new Map<string, Dockerode>()
  const manager = env.DOCKER_HOST
  return (node) => {
    const endpoint = node.labels[NODE_ENGINE_LABEL] ?? endpointAt(manager, node.addr)
    let client = clients.get(endpoint)
    if (!client) {
      client = createDockerFromEnv({...env, DOCKER_HOST: endpoint})
      clients.set(endpoint, client)
    }
    return client
  }
}

function endpointAt(manager: string | undefined, addr: string): string {
  if (!manager || !/^tcp:\/\//.test(manager))
    throw new Error(
      `cannot tell how to reach the engine of node ${addr}: DOCKER_HOST is not tcp://; label the node ${NODE_ENGINE_LABEL}=tcp://host:port`,
    )
  const url = new URL(manager.replace(/^tcp:/, 'http:'))
  return `tcp://${addr}:${url.port || '2376'}`
}
