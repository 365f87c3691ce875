// The one place the session code gets a Docker client: DOCKER_HOST or the active Docker context (docker-client.ts).
import type Dockerode from 'dockerode'

import type {AgentError} from '../errors.js'
import {createDockerClient, describeDockerEndpoint, toDockerError, type Env} from './docker-client.js'

export type DockerClient = Dockerode

/** A client for the engine named by DOCKER_HOST (unix, tcp, tcp+TLS, ssh) or the active context. Does not connect. */
export function createDockerFromEnv(env: Env = process.env): DockerClient {
  return createDockerClient(env)
}

/** Turns a dockerode failure into the CLI's typed errors: unreachable engine -> DockerUnavailableError (exit 3). */
export function dockerFailure(error: unknown, action: string, env: Env = process.env): AgentError {
  const mapped = toDockerError(error, describeDockerEndpoint(env))
  if (mapped === error) return mapped
  mapped.message = `Could not ${action}: ${mapped.message}`
  return mapped
}
