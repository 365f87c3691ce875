// Which warm pool a session may take a container from: everything its container is made with except the project.
import crypto from 'node:crypto'

import type {SandboxSettings} from '../../config/schema.js'
import {configHash} from '../lifecycle/container-spec.js'
import {containerEnv} from '../lifecycle/container-env.js'
import type {RunnerUser} from '../lifecycle/runner-user.js'

export interface PoolRequest {
  /** Image id, settings, the resolved environment and the runner user, hashed. */
  key: string
  /** sandbox.warmPool: how many containers to keep waiting (across all keys). */
  size: number
  image: string
  settings: SandboxSettings
  hostEnv: NodeJS.ProcessEnv | undefined
  runnerUser: RunnerUser
}

export interface PoolOptions {
  keep?: boolean
  reuse?: boolean
}

/**
 * The pool request for a session, or undefined when it cannot use the pool: an allow list needs a network of its own
 * (made per session), --mount fills the volume through a helper, and --keep / --reuse containers are found later by
 * their project's label, which a pool container (made before its project was known) does not carry.
 */
export function poolRequest(input: {
  image: string
  imageId: string
  settings: SandboxSettings
  hostEnv: NodeJS.ProcessEnv | undefined
  runnerUser: RunnerUser
  options: PoolOptions
}): PoolRequest | undefined {
  const {settings, options} = input
  if (settings.warmPool <= 0 || typeof settings.network !== 'string' || settings.mount) return undefined
  if (options.keep || options.reuse) return undefined
  // The environment is set at create: sandbox.env values read from the host are part of what must match.
  const env = containerEnv(settings.env, input.hostEnv)
  const key = crypto
    .createHash('sha256')
    .update(JSON.stringify([configHash(input.image, settings), input.imageId, input.runnerUser, env]))
    .digest('hex')
    .slice(0, 16)
  return {
    key,
    size: settings.warmPool,
    image: input.image,
    settings,
    hostEnv: input.hostEnv,
    runnerUser: input.runnerUser,
  }
}
