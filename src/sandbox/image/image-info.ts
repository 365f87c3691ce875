// What the local Docker has of the sandbox image: present, its definition hash, size, and whether it is current.
import type Docker from 'dockerode'

import {Labels} from '../labels.js'
import {dockerStatusCode, toDockerError, type DockerEndpoint} from '../docker-client.js'

export interface SandboxImageInfo {
  name: string
  present: boolean
  /** The image carries the definition hash of the sources at hand. */
  current: boolean
  id?: string
  sizeBytes?: number
  created?: string
  definitionHash?: string
  builder?: string
}

/** Inspects `name`; a missing image is `present: false`, any other failure a DockerUnavailableError. */
export async function inspectSandboxImage(
  docker: Docker,
  endpoint: DockerEndpoint,
  name: string,
  expectedHash?: string,
): Promise<SandboxImageInfo> {
  try {
    const info = await docker.getImage(name).inspect()
    const labels = info.Config?.Labels ?? {}
    const hash = labels[Labels.imageDefinitionHash]
    const result: SandboxImageInfo = {
      name,
      present: true,
      current: expectedHash !== undefined && hash === expectedHash,
      id: info.Id,
      sizeBytes: info.Size,
      created: info.Created,
    }
    if (hash) result.definitionHash = hash
    const builder = labels[Labels.imageBuilder]
    if (builder) result.builder = builder
    return result
  } catch (error) {
    if (dockerStatusCode(error) === 404) return {name, present: false, current: false}
    throw toDockerError(error, endpoint)
  }
}

/** "452 MB" */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return '?'
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`
  return `${bytes} B`
}
