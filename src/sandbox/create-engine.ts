// The one place an engine is chosen: callers get a SandboxEngine and never name the Docker implementation.
import {UserInputError} from '../errors.js'
import {DockerSandboxEngine, type EngineOptions as DockerEngineOptions} from './docker-engine.js'
import type {SandboxEngine} from './types.js'

export const ENGINE_KINDS = ['docker', 'swarm'] as const
export type EngineKind = (typeof ENGINE_KINDS)[number]

export interface EngineOptions extends DockerEngineOptions {
  /** docker (default): the local daemon or DOCKER_HOST; swarm: a Swarm cluster through its manager's DOCKER_HOST. */
  kind?: EngineKind
}

export function createSandboxEngine(options: EngineOptions = {}): SandboxEngine {
  const {kind = 'docker', ...rest} = options
  if (kind === 'docker') return new DockerSandboxEngine(rest)
  throw new UserInputError(`The ${kind} engine is not available in this version`, {hint: 'Use --engine docker'})
}
