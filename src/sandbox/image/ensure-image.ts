// Makes sure the sandbox image exists and matches its definition: skips, or picks a builder (probing as needed) and builds.
import type Docker from 'dockerode'

import {AgentError, DockerUnavailableError} from '../../errors.js'
import {Labels} from '../labels.js'
import {dockerMessage, isDockerConnectionError, toDockerError, type DockerEndpoint} from '../docker-client.js'
import type {ImageBuilder} from './builder.js'
import {chooseBuilder, type BuildFacts, type BuilderKind, type BuilderRequest} from './choose-builder.js'
import {defaultImageName, loadImageDefinition, type ImageDefinition} from './definition.js'
import {DockerfileBuilder} from './dockerfile-builder.js'
import {followDockerStream} from './docker-stream.js'
import {inspectSandboxImage, type SandboxImageInfo} from './image-info.js'
import {OfflineBuilder, offlineReadiness, type OfflineBuilderOptions} from './offline-builder.js'
import {ignoreProgress, type ProgressListener} from './progress.js'

export interface EnsureImageOptions {
  docker: Docker
  endpoint: DockerEndpoint
  /** Image to make; defaults to sandbox-agent/sandbox:<package version>. */
  name?: string
  /** Defaults to sandbox-images/default of this package. */
  definition?: ImageDefinition
  builder?: BuilderRequest
  /** Build even when an image with the same definition hash exists. */
  force?: boolean
  onProgress?: ProgressListener
  signal?: AbortSignal
  /** Offline builder settings; cacheDir defaults to defaultCacheDir(). */
  offline?: Partial<OfflineBuilderOptions>
  /** How long the base image pull may take to start answering before we give up on it (ms). */
  pullTimeoutMs?: number
  /** Build argument for the Dockerfile's FROM (tests use a local image). */
  baseImage?: string
}

export interface EnsureImageResult {
  image: SandboxImageInfo
  /** False when an up-to-date image was already there. */
  built: boolean
  builder?: BuilderKind
  /** Why it was skipped or why this builder was chosen. */
  reason: string
  durationMs: number
}

/** Where the offline builder caches its debootstrap base: $SANDBOX_AGENT_CACHE_DIR or /var/cache/sandbox-agent. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env.SANDBOX_AGENT_CACHE_DIR?.trim() || '/var/cache/sandbox-agent'
}

/** Builds the image unless an identical one (same tag, same definition hash) exists; returns what is there after. */
export async function ensureImage(options: EnsureImageOptions): Promise<EnsureImageResult> {
  const started = Date.now()
  const {docker, endpoint} = options
  const onProgress = options.onProgress ?? ignoreProgress
  const name = options.name ?? defaultImageName()
  const definition = options.definition ?? loadImageDefinition()
  const elapsed = (): number => Date.now() - started

  onProgress({
    type: 'phase',
    phase: 'check',
    message: `definition ${definition.hash.slice(0, 19)}… in ${definition.dir}`,
  })
  const existing = await inspectSandboxImage(docker, endpoint, name, definition.hash)
  if (existing.current && !options.force) {
    return {
      image: existing,
      built: false,
      reason: 'an image with the same definition hash exists',
      durationMs: elapsed(),
    }
  }

  const facts: BuildFacts = {requested: options.builder ?? 'auto'}
  for (;;) {
    options.signal?.throwIfAborted()
    const decision = chooseBuilder(facts)
    switch (decision.action) {
      case 'check-base':
        facts.baseImageLocal = (await inspectSandboxImage(docker, endpoint, definition.spec.base)).present
        continue
      case 'try-pull':
        onProgress({type: 'phase', phase: 'pull', message: `trying to pull ${definition.spec.base}`})
        facts.basePull = await tryPull(
          docker,
          endpoint,
          definition.spec.base,
          options.pullTimeoutMs ?? 20_000,
          onProgress,
          options.signal,
        )
        continue
      case 'check-offline':
        facts.offlineReady = offlineReadiness(options.offline?.pathEnv)
        continue
      case 'fail':
        throw new AgentError(decision.message, {hint: decision.hint})
      case 'build': {
        onProgress({type: 'phase', phase: 'choose', message: `${decision.builder} builder: ${decision.reason}`})
        const builder = makeBuilder(decision.builder, options)
        const labels = {
          [Labels.managed]: 'true',
          [Labels.imageDefinitionHash]: definition.hash,
          [Labels.imageBuilder]: decision.builder,
        }
        try {
          await builder.build({
            definition,
            name,
            labels,
            onProgress,
            ...(options.signal ? {signal: options.signal} : {}),
          })
        } catch (error) {
          const canFallBack =
            decision.builder === 'dockerfile' &&
            facts.requested === 'auto' &&
            !(error instanceof DockerUnavailableError) &&
            !options.signal?.aborted
          if (!canFallBack) throw error
          facts.dockerfileFailed = error instanceof Error ? error.message : String(error)
          continue
        }
        const image = await inspectSandboxImage(docker, endpoint, name, definition.hash)
        if (!image.present) throw new AgentError(`The build finished but ${name} is not in the image store`)
        onProgress({type: 'phase', phase: 'done', message: `built ${name} with the ${decision.builder} builder`})
        return {image, built: true, builder: decision.builder, reason: decision.reason, durationMs: elapsed()}
      }
    }
  }
}

function makeBuilder(kind: BuilderKind, options: EnsureImageOptions): ImageBuilder {
  if (kind === 'dockerfile') {
    return new DockerfileBuilder(
      options.docker,
      options.endpoint,
      options.baseImage ? {baseImage: options.baseImage} : {},
    )
  }
  return new OfflineBuilder(options.docker, options.endpoint, {cacheDir: defaultCacheDir(), ...options.offline})
}

/**
 * Pulls the base image, giving up when the registry has not started answering within timeoutMs. Once layers flow the
 * pull may take as long as it needs. A dead daemon is an error; an unreachable registry is a fact for the choice.
 */
async function tryPull(
  docker: Docker,
  endpoint: DockerEndpoint,
  image: string,
  timeoutMs: number,
  onProgress: ProgressListener,
  signal?: AbortSignal,
): Promise<{ok: true} | {ok: false; error: string}> {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const onAbort = (): void => controller.abort()
  signal?.addEventListener('abort', onAbort, {once: true})
  try {
    const stream = await docker.pull(image, {abortSignal: controller.signal})
    await followDockerStream(
      stream,
      (message) => {
        clearTimeout(timer)
        if (message.status) onProgress({type: 'log', line: `${message.id ? `${message.id}: ` : ''}${message.status}`})
      },
      `pulling ${image}`,
    )
    return {ok: true}
  } catch (error) {
    if (signal?.aborted) throw error
    if (timedOut) return {ok: false, error: `the registry did not answer within ${Math.round(timeoutMs / 1000)}s`}
    if (isDockerConnectionError(error) && !(error instanceof AgentError)) throw toDockerError(error, endpoint)
    return {ok: false, error: shortPullError(dockerMessage(error))}
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

/** "Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io…: no such host" -> the useful tail. */
function shortPullError(message: string): string {
  const text = message.replace(/^pulling \S+ failed: /, '')
  const parts = text.split(': ')
  return parts.length > 2 ? `${parts[0]}: ${parts[parts.length - 1]}` : text
}
