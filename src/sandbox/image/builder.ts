// The image builder seam: one implementation per file (Dockerfile via the daemon, offline via debootstrap + import).
import type {BuilderKind} from './choose-builder.js'
import type {ImageDefinition} from './definition.js'
import type {ProgressListener} from './progress.js'

export interface BuildRequest {
  definition: ImageDefinition
  /** repository:tag to create. */
  name: string
  /** Labels added on top of the definition's own (definition hash, builder). */
  labels: Record<string, string>
  onProgress: ProgressListener
  signal?: AbortSignal
}

export interface ImageBuilder {
  readonly kind: BuilderKind
  /** Builds and tags the image; throws an AgentError on failure. */
  build(request: BuildRequest): Promise<void>
}
