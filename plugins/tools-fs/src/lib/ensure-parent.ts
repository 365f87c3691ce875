// Creates a file's parent directories in the sandbox before a write (one `mkdir -p`, skipped for the root).
import path from 'node:path'

import {WORKSPACE_ROOT, workspaceRelative, type SandboxSession} from 'sandboxed-agent/plugin'

import {EXEC_TIMEOUT_MS} from './limits.js'
import {shellQuote} from './shell-quote.js'
import {statEntry} from './stat-entry.js'

export async function ensureParentDir(session: SandboxSession, file: string, signal: AbortSignal): Promise<void> {
  const parent = path.posix.dirname(file)
  if (parent === WORKSPACE_ROOT) return
  const entry = await statEntry(session, parent)
  if (entry?.type === 'directory') return
  if (entry) throw new Error(`${parent} exists and is not a directory`)
  const result = await session.exec(`mkdir -p -- ${shellQuote(workspaceRelative(parent))}`, {
    cwd: WORKSPACE_ROOT,
    timeoutMs: EXEC_TIMEOUT_MS,
    signal,
  }).result
  if (result.exitCode !== 0)
    throw new Error(
      `could not create ${parent}: ${result.stderr.text.trim() || result.error || `exit ${result.exitCode}`}`,
    )
}
