// Step: the session's volume and its hardened container (created, not started).
import type Dockerode from 'dockerode'

import {containerSpec, volumeSpec, type ContainerSpecInput} from '../lifecycle/container-spec.js'

export async function createSessionContainer(
  docker: Dockerode,
  input: ContainerSpecInput,
): Promise<Dockerode.Container> {
  await docker.createVolume(volumeSpec(input))
  return docker.createContainer(containerSpec(input))
}
