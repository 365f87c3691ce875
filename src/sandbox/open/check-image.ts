// Step: the sandbox image must already be on the engine (images are built locally, never pulled).
import type Dockerode from 'dockerode'

import {AgentError, ExitCode} from '../../errors.js'
import {dockerFailure} from '../docker-connection.js'
import {runnerUserOf, type RunnerUser} from '../lifecycle/runner-user.js'

/** Fails when the image is missing; says whether its runner can run apart from the commands. */
export async function checkImage(docker: Dockerode, image: string): Promise<RunnerUser> {
  return (await inspectSandboxImage(docker, image)).runnerUser
}

/** checkImage, with the image's id (a rebuilt image under the same tag is another image to the warm pool). */
export async function inspectSandboxImage(
  docker: Dockerode,
  image: string,
): Promise<{runnerUser: RunnerUser; id: string}> {
  try {
    const info = await docker.getImage(image).inspect()
    return {runnerUser: runnerUserOf(info.Config?.Labels ?? undefined), id: info.Id}
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) {
      throw new AgentError(`The sandbox image ${image} is not on this Docker engine`, {
        hint: 'Build it with `agent sandbox build` (images are never pulled)',
        exitCode: ExitCode.docker,
      })
    }
    throw dockerFailure(error, 'inspect the sandbox image')
  }
}
