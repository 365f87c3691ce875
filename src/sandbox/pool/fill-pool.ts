// Refill: tops the warm pool up to its size with containers created, started and left waiting for a claim.
import type Dockerode from 'dockerode'

import type {Logger} from '../../logging/logger.js'
import {containerSpec, volumeSpec, type ContainerSpecInput} from '../lifecycle/container-spec.js'
import {removeSandboxContainer} from '../lifecycle/orphans.js'
import {SessionLabels, containerName, newSessionId, volumeName} from '../lifecycle/session-names.js'
import {POOL_EXPIRY_MS, listPoolContainers, type PoolContainer} from './pool-containers.js'
import type {PoolRequest} from './pool-key.js'

/**
 * Removes expired and half-made pool containers, makes room by removing containers of other keys (the pool serves the
 * configuration used last), then creates and starts what is missing. No client attaches: the runner waits, and the
 * claim attaches, pings it and runs the isolation self-test as for a fresh container.
 */
export async function fillPool(docker: Dockerode, request: PoolRequest, logger: Logger): Promise<number> {
  const waiting = await listPoolContainers(docker)
  const remove = (c: PoolContainer) =>
    removeSandboxContainer(docker, {containerId: c.containerId, volume: c.volume}).catch((error: unknown) =>
      logger.debug({err: error, container: c.containerId}, 'could not remove a pool container'),
    )
  const stale = waiting.filter((c) => c.expired)
  const live = waiting.filter((c) => !c.expired)
  const mine = live.filter((c) => c.key === request.key)
  const others = live.filter((c) => c.key !== request.key)
  const missing = Math.max(0, request.size - mine.length)
  const evicted = others.slice(0, Math.max(0, others.length + mine.length + missing - request.size))
  await Promise.all([...stale, ...evicted].map(remove))
  for (let made = 0; made < missing; made++) await createPoolContainer(docker, request)
  if (missing > 0) logger.info({made: missing, key: request.key}, 'warm pool refilled')
  return missing
}

async function createPoolContainer(docker: Dockerode, request: PoolRequest): Promise<void> {
  const sessionId = newSessionId()
  const input: ContainerSpecInput = {
    sessionId,
    // Not known until a session claims it: the claimed session's record carries the project.
    workspace: '',
    image: request.image,
    settings: request.settings,
    hostEnv: request.hostEnv,
    runnerUser: request.runnerUser,
  }
  const poolLabels = {
    [SessionLabels.pool]: request.key,
    [SessionLabels.poolExpires]: new Date(Date.now() + POOL_EXPIRY_MS).toISOString(),
  }
  const volume = volumeSpec(input)
  await docker.createVolume({...volume, Labels: {...volume.Labels, ...poolLabels}})
  let container: Dockerode.Container | undefined
  try {
    const spec = containerSpec(input)
    container = await docker.createContainer({
      ...spec,
      name: containerName(sessionId, {kind: 'pool'}),
      Labels: {...spec.Labels, ...poolLabels},
    })
    await container.start()
  } catch (error) {
    const cleanup = container
      ? removeSandboxContainer(docker, {containerId: container.id, volume: volumeName(sessionId)})
      : docker.getVolume(volumeName(sessionId)).remove()
    await cleanup.catch(() => undefined)
    throw error
  }
}
