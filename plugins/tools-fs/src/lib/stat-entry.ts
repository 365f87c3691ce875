// What one path is (file, directory, ...) and how big, through the session's list() of its parent directory.
import path from 'node:path'

import {WORKSPACE_ROOT, type DirEntry, type SandboxSession} from 'sandboxed-agent/plugin'

import {isNotFound} from './file-errors.js'

/** The entry for an absolute /workspace path, or undefined when it does not exist. */
export async function statEntry(session: SandboxSession, absolute: string): Promise<DirEntry | undefined> {
  if (absolute === WORKSPACE_ROOT) return {name: '.', type: 'directory', size: 0}
  try {
    const entries = await session.list(path.posix.dirname(absolute))
    return entries.find((entry) => entry.name === path.posix.basename(absolute))
  } catch (error) {
    if (isNotFound(error) || /not a directory/i.test(String((error as Error)?.message))) return undefined
    throw error
  }
}
