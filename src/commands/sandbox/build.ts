// `agent sandbox build`: builds the sandbox image (Dockerfile, or offline with debootstrap), skipping it when already current.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {createDockerClient, describeDockerEndpoint, pingDocker} from '../../sandbox/docker-client.js'
import {pushImage} from '../../sandbox/swarm/registry-push.js'
import {
  defaultImageName,
  ensureImage,
  formatSize,
  type BuildProgress,
  type BuilderRequest,
} from '../../sandbox/image/index.js'

export default class SandboxBuild extends BaseCommand<typeof SandboxBuild> {
  static override summary = 'Build the sandbox image'
  static override description = [
    `Builds ${defaultImageName('<version>')} from sandbox-images/default.`,
    "Without a flag the Dockerfile is used when its base image (debian:bookworm-slim) is local or can be pulled; otherwise the offline builder runs: debootstrap from the Debian mirror in this host's apt sources, the same packages and user in a chroot, then docker import. It needs root and debootstrap; its base is cached, so later builds take seconds.",
    'The build is skipped when an image with the same tag and definition hash exists. Progress goes to stderr; the image name and size go to stdout.',
  ].join('\n\n')

  static override examples = [
    {
      description: 'Build (or confirm) the image, choosing the builder automatically',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Build without any registry, from the host apt mirror',
      command: '<%= config.bin %> <%= command.id %> --offline',
    },
    {description: 'Rebuild even if the image is current', command: '<%= config.bin %> <%= command.id %> --force'},
  ]

  static override flags = {
    offline: Flags.boolean({
      description: 'Use the offline builder (debootstrap + docker import).',
      exclusive: ['dockerfile'],
    }),
    dockerfile: Flags.boolean({
      description: 'Use the Dockerfile (needs the base image or a registry).',
      exclusive: ['offline'],
    }),
    force: Flags.boolean({char: 'f', description: 'Build even when the image is current.', default: false}),
    mirror: Flags.string({description: 'Debian mirror for the offline builder (default: from the host apt sources).'}),
    tag: Flags.string({description: 'Image name to build.', default: defaultImageName(), noCacheDefault: true}),
    verbose: Flags.boolean({char: 'v', description: 'Show the output of debootstrap, apt and docker.', default: false}),
    json: Flags.boolean({description: 'Print the result as JSON on stdout.', default: false}),
    push: Flags.string({
      description:
        'Then push the image to this registry (host:port, or http://host:port for a plain-HTTP one) for the nodes of the swarm engine; skipped when it is there already.',
    }),
  }

  async run(): Promise<void> {
    const {flags} = this
    const endpoint = describeDockerEndpoint()
    const docker = createDockerClient(process.env, endpoint)
    await pingDocker(docker, endpoint)

    const builder: BuilderRequest = flags.offline ? 'offline' : flags.dockerfile ? 'dockerfile' : 'auto'
    const progress = new ProgressPrinter(flags.verbose, (line) => process.stderr.write(`${line}\n`))
    const controller = new AbortController()
    const onSigint = (): void => controller.abort()
    process.once('SIGINT', onSigint)
    try {
      const result = await ensureImage({
        docker,
        endpoint,
        name: flags.tag,
        builder,
        force: flags.force,
        onProgress: (event) => {
          this.logger.debug({event}, 'build progress')
          progress.show(event)
        },
        signal: controller.signal,
        ...(flags.mirror ? {offline: {mirror: flags.mirror}} : {}),
      })
      const {image} = result
      if (!result.built) {
        progress.note(
          `${image.name} is current (${image.definitionHash?.slice(0, 19) ?? '?'}…): nothing to build. Use --force to rebuild.`,
        )
      }
      this.logger.info({result}, 'sandbox build')
      const pushed = flags.push
        ? await pushImage(docker, image.name, flags.push, {log: (line) => progress.note(line)})
        : undefined
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({...image, built: result.built, ...(pushed ? {pushed} : {}), builder: result.builder ?? null, reason: result.reason, durationMs: result.durationMs}, null, 2)}\n`,
        )
      } else {
        process.stdout.write(`${image.name} ${formatSize(image.sizeBytes)}\n`)
        if (pushed) process.stdout.write(`${pushed}\n`)
      }
    } finally {
      process.removeListener('SIGINT', onSigint)
      progress.stop()
    }
  }
}

/** Phases as "[  12s] message" lines; tool output only with --verbose, else a heartbeat line when a phase runs long. */
class ProgressPrinter {
  private readonly started = Date.now()
  private lastPrinted = Date.now()
  private lastLog = ''
  private phase = 'starting'
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly verbose: boolean,
    private readonly write: (line: string) => void,
  ) {
    this.timer = setInterval(() => {
      if (Date.now() - this.lastPrinted < 15_000) return
      this.print(`… still ${this.phase}${this.lastLog ? ` (${truncate(this.lastLog, 80)})` : ''}`)
    }, 5000)
    this.timer.unref()
  }

  show(event: BuildProgress): void {
    if (event.type === 'phase') {
      this.phase = event.phase
      this.print(event.message)
    } else {
      this.lastLog = event.line.trim()
      if (this.verbose) this.print(`  ${event.line}`)
    }
  }

  note(message: string): void {
    this.print(message)
  }

  stop(): void {
    clearInterval(this.timer)
  }

  private print(message: string): void {
    const seconds = Math.round((Date.now() - this.started) / 1000)
    this.write(`[${String(seconds).padStart(4)}s] ${message}`)
    this.lastPrinted = Date.now()
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
