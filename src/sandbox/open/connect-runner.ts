// Step: attach to the container's main process before it starts, then talk to the runner (or fall back to docker exec).
import type Dockerode from 'dockerode'

import {AgentError, ExitCode} from '../../errors.js'
import type {Logger} from '../../logging/logger.js'
import type {SandboxBackend} from '../backend.js'
import {DockerExecBackend} from '../exec/docker-exec-backend.js'
import {bypassOpener} from '../exec/output-bypass.js'
import {RunnerBackend} from '../runner/runner-backend.js'
import {NO_RUNNER, RunnerClient} from '../runner/runner-client.js'
import {attachMainProcess} from '../lifecycle/helper-container.js'
import {SEPARATE_RUNNER_PROTOCOL, type RunnerUser} from '../lifecycle/runner-user.js'

const RUNNER_READY_TIMEOUT_MS = 20_000

/**
 * Attaches to the container's main process (the runner, or the fallback's sleep) before it starts, so no output is
 * missed. `explainGone` lets the client say "out of memory" when the container dies under a command; commands that
 * print a lot hand their stdout to a `docker exec` reader of this container (the output bypass).
 */
export async function attachRunner(
  container: Dockerode.Container,
  logger: Logger,
  {explainGone = true}: {explainGone?: boolean} = {},
): Promise<RunnerClient> {
  const socket = await attachMainProcess(container)
  return new RunnerClient(socket, {
    logger,
    openBypass: bypassOpener(container),
    ...(explainGone
      ? {explainGone: async () => ({oomKilled: Boolean((await container.inspect()).State?.OOMKilled)})}
      : {}),
  })
}

/** The runner when the image has one, else the docker-exec fallback. */
export async function connectBackend(
  container: Dockerode.Container,
  client: RunnerClient,
  logger: Logger,
  runnerUser: RunnerUser = 'agent',
): Promise<SandboxBackend> {
  try {
    await client.waitReady(RUNNER_READY_TIMEOUT_MS)
    if (runnerUser === 'separate' && client.version < SEPARATE_RUNNER_PROTOCOL) {
      client.detach()
      throw new AgentError(
        `The image's runner speaks protocol ${client.version}, its label says ${SEPARATE_RUNNER_PROTOCOL}`,
        {hint: 'Rebuild the image with `agent sandbox build`', exitCode: ExitCode.docker},
      )
    }
    return new RunnerBackend(client)
  } catch (error) {
    if (error instanceof AgentError) throw error
    if (!client.diagnostics.includes(NO_RUNNER)) {
      const detail = client.diagnostics.trim().split('\n').pop() ?? ''
      throw new AgentError(`The sandbox runner did not start${detail ? `: ${detail}` : ''}`, {
        hint: 'Rebuild the image with `agent sandbox build`, or run with --debug and check the log',
        exitCode: ExitCode.docker,
        cause: error,
      })
    }
    client.detach()
    logger.warn('image has no runner: falling back to docker exec (slower)')
    return new DockerExecBackend(container)
  }
}
