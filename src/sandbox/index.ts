// The sandbox's public surface: the engine, the session, cleanup and orphan helpers (everything else is internal).
export {DockerSandboxEngine, type EngineOptions, type OpenOptions} from './docker-engine.js'
export {DockerSandboxSession, type ApplyOptions} from './docker-session.js'
export {connectDocker, dockerFailure} from './docker-connection.js'
export {SessionCleanup, type CleanupTarget, type SignalCleanupOptions} from './lifecycle/session-cleanup.js'
export {
  findOrphans,
  listSandboxContainers,
  removeSandboxContainer,
  type SandboxContainerInfo,
} from './lifecycle/orphans.js'
export {parseContainerName, type SessionState} from './lifecycle/session-names.js'
export {SessionStore, defaultStateDir} from './lifecycle/session-store.js'
export {renderApplyReport, renderChangeDiff, renderChangeSummary} from './changes/render-changes.js'
export {DEFAULT_EXCLUDES} from './workspace/ignore-rules.js'
export {DEFAULT_MAX_OUTPUT_BYTES} from './exec/bounded-output.js'
export type {TerminalHandle, TerminalOptions} from './exec/docker-exec.js'
export type * from './types.js'
