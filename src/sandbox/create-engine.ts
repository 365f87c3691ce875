// The one place an engine is chosen: callers get a SandboxEngine and never name the Docker implementation.
import {DockerSandboxEngine, type EngineOptions} from './docker-engine.js'
import type {SandboxEngine} from './types.js'

export type {EngineOptions} from './docker-engine.js'

export function createSandboxEngine(options: EngineOptions = {}): SandboxEngine {
  return new DockerSandboxEngine(options)
}
