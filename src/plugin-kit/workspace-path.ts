// Paths a sandbox tool may touch: everything resolves inside /workspace, and anything that would leave it is refused.
import path from 'node:path'

/** Where the project lives inside every sandbox. */
export const WORKSPACE_ROOT = '/workspace'

/** A path the tool must refuse (outside the workspace, empty, or with a NUL byte). */
export class WorkspacePathError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WorkspacePathError'
  }
}

/**
 * Resolves a path the model gave (absolute under /workspace, or relative to it) to a normalised absolute path inside
 * /workspace. Lexical only: the sandbox itself is the boundary for what symlinks inside it point at.
 */
export function resolveWorkspacePath(input: string): string {
  if (typeof input !== 'string' || input.trim() === '') throw new WorkspacePathError('path is empty')
  if (input.includes('\0')) throw new WorkspacePathError('path contains a NUL byte')
  const resolved = path.posix.resolve(WORKSPACE_ROOT, input.trim())
  if (resolved !== WORKSPACE_ROOT && !resolved.startsWith(`${WORKSPACE_ROOT}/`)) {
    throw new WorkspacePathError(
      `path ${input} is outside ${WORKSPACE_ROOT}; only files inside the workspace can be used`,
    )
  }
  return resolved
}

/** The path relative to /workspace (`.` for the root itself), for display and for commands run with cwd /workspace. */
export function workspaceRelative(absolute: string): string {
  const relative = path.posix.relative(WORKSPACE_ROOT, absolute)
  return relative === '' ? '.' : relative
}
