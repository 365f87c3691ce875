// Which image builder to use, as a pure function of what is known so far; the caller probes and asks again.
export type BuilderKind = 'dockerfile' | 'offline'
export type BuilderRequest = 'auto' | BuilderKind

/** What the caller has learned so far. Undefined means "not checked yet". */
export interface BuildFacts {
  requested: BuilderRequest
  /** The Dockerfile's base image is already in the local image store. */
  baseImageLocal?: boolean
  /** Result of a short pull of the base image: undefined when not tried. */
  basePull?: {ok: true} | {ok: false; error: string}
  /** The Dockerfile build was tried and failed (e.g. apt could not reach its mirror from the build container). */
  dockerfileFailed?: string
  /** Can the offline builder run here? (root, debootstrap and chroot present.) */
  offlineReady?: {ok: true} | {ok: false; error: string}
}

export type BuildDecision =
  | {action: 'build'; builder: BuilderKind; reason: string}
  /** Check whether the base image is local (cheap: one inspect). */
  | {action: 'check-base'}
  /** Try pulling the base image with a short timeout. */
  | {action: 'try-pull'}
  /** Check root, debootstrap and chroot. */
  | {action: 'check-offline'}
  | {action: 'fail'; message: string; hint: string}

/**
 * The next step towards a build. Explicit requests are honoured without probing; `auto` prefers the Dockerfile when
 * its base image is local or can be pulled, and falls back to the offline builder otherwise (or when the Dockerfile
 * build itself failed).
 */
export function chooseBuilder(facts: BuildFacts): BuildDecision {
  if (facts.requested === 'dockerfile')
    return {action: 'build', builder: 'dockerfile', reason: 'requested with --dockerfile'}
  if (facts.requested === 'offline') return offlineOr(facts, 'requested with --offline')

  if (facts.dockerfileFailed !== undefined) {
    return offlineOr(facts, `the Dockerfile build failed (${facts.dockerfileFailed})`)
  }
  if (facts.baseImageLocal === undefined) return {action: 'check-base'}
  if (facts.baseImageLocal) return {action: 'build', builder: 'dockerfile', reason: 'the base image is present locally'}
  if (facts.basePull === undefined) return {action: 'try-pull'}
  if (facts.basePull.ok) return {action: 'build', builder: 'dockerfile', reason: 'the base image was pulled'}
  return offlineOr(facts, `the base image cannot be pulled (${facts.basePull.error})`)
}

function offlineOr(facts: BuildFacts, reason: string): BuildDecision {
  if (facts.offlineReady === undefined) return {action: 'check-offline'}
  if (facts.offlineReady.ok) return {action: 'build', builder: 'offline', reason}
  return {
    action: 'fail',
    message: `Cannot build the sandbox image: ${reason}, and the offline builder cannot run (${facts.offlineReady.error})`,
    hint:
      facts.requested === 'offline'
        ? 'Fix that and retry'
        : 'Fix that, or give Docker access to a registry and retry with --dockerfile',
  }
}
