// The one place an engine is chosen: callers get a SandboxEngine and never name the Docker implementation.
import {DockerSandboxEngine, type EngineOptions as DockerEngineOptions} from './docker-engine.js'
import {SwarmSandboxEngine} from './swarm/swarm-engine.js'
import type {SandboxEngine} from './types.js'

export const ENGINE_KINDS = ['docker', 'swarm'] as const
export type EngineKind = (typeof ENGINE_KINDS)[number]

export interface EngineOptions extends DockerEngineOptions {
  /** docker (default): the local daemon or DOCKER_HOST; swarm: a Swarm cluster through its manager's DOCKER_HOST. */
  kind?: EngineKind
  /** swarm: where the nodes pull the sandbox image from (`agent sandbox build --push REGISTRY`). */
  registry?: string
}

export function createSandboxEngine(options: EngineOptions = {}): SandboxEngine {
  const {kind = 'docker', registry, ...rest} = options
  if (kind === 'swarm')
    return new SwarmSandboxEngine({
      ...(rest.docker ? {docker: rest.docker} : {}),
      ...(rest.logger ? {logger: rest.logger} : {}),
      ...(rest.cleanup ? {cleanup: rest.cleanup} : {}),
      ...(rest.hostEnv ? {hostEnv: rest.hostEnv} : {}),
      ...(registry ? {registry} : {}),
    })
  return new DockerSandboxEngine(rest)
}
