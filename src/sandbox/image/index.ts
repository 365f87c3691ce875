// The sandbox image API other modules use: its name, its definition, inspecting it and making sure it exists.
export {
  defaultImageName,
  loadImageDefinition,
  hashImageDefinition,
  type ImageDefinition,
  type ImageSpec,
} from './definition.js'
export {ensureImage, defaultCacheDir, type EnsureImageOptions, type EnsureImageResult} from './ensure-image.js'
export {inspectSandboxImage, formatSize, type SandboxImageInfo} from './image-info.js'
export {chooseBuilder, type BuilderKind, type BuilderRequest} from './choose-builder.js'
export type {BuildProgress, BuildPhase, ProgressListener} from './progress.js'
