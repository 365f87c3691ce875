// The Dockerfile image builder: packs the definition directory as the build context and lets the daemon build it.
import path from 'node:path'
import type Docker from 'dockerode'

import {toDockerError, type DockerEndpoint} from '../docker-client.js'
import type {BuildRequest, ImageBuilder} from './builder.js'
import {PLACEHOLDER_FILE} from './definition.js'
import {followDockerStream} from './docker-stream.js'
import {packDirectory, rootOwned, type TarHeader} from './rootfs-tar.js'

export interface DockerfileBuilderOptions {
  /** Passed as the Dockerfile's BASE_IMAGE build argument (tests build FROM a local image). */
  baseImage?: string
}

export class DockerfileBuilder implements ImageBuilder {
  readonly kind = 'dockerfile' as const

  constructor(
    private readonly docker: Docker,
    private readonly endpoint: DockerEndpoint,
    private readonly options: DockerfileBuilderOptions = {},
  ) {}

  async build(request: BuildRequest): Promise<void> {
    const {definition, name, labels, onProgress, signal} = request
    onProgress({type: 'phase', phase: 'build', message: `docker build of ${path.join(definition.dir, 'Dockerfile')}`})
    // Modes and owners normalised so the image does not depend on the checkout's umask.
    const context = packDirectory(definition.dir, {
      umask: 0,
      ignore: (file: string) => path.basename(file) === PLACEHOLDER_FILE,
      map: (header: TarHeader) => ({...header, ...rootOwned(header)}),
    })
    let stream: NodeJS.ReadableStream
    try {
      stream = await this.docker.buildImage(context, {
        t: name,
        labels,
        rm: true,
        forcerm: true,
        ...(this.options.baseImage ? {buildargs: {BASE_IMAGE: this.options.baseImage}} : {}),
        ...(signal ? {abortSignal: signal} : {}),
      })
    } catch (error) {
      throw toDockerError(error, this.endpoint)
    }
    await followDockerStream(
      stream,
      (message) => {
        const text = (message.stream ?? message.status ?? '').trimEnd()
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue
          if (/^Step \d+\/\d+ :/.test(line)) onProgress({type: 'phase', phase: 'build', message: line})
          else onProgress({type: 'log', line})
        }
      },
      'docker build',
    )
  }
}
