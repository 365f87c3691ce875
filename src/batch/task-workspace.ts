// Where a batch task's project comes from: a directory on this machine, or a git repository cloned here for the task.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import type {BatchTask} from './task-file.js'

export interface TaskWorkspace extends AsyncDisposable {
  /** The directory copied into the sandbox. */
  readonly dir: string
}

/** A problem with a task's project (not the batch's): the task fails with this line, the batch goes on. */
export class TaskSourceError extends Error {}

/**
 * A `cwd` task uses its directory as it is (the sandbox gets a copy; nothing is written there). A `repo` task is
 * cloned (shallow, no submodules, hooks never run) into a temporary directory removed when the task ends.
 */
export async function openTaskWorkspace(task: BatchTask, signal?: AbortSignal): Promise<TaskWorkspace> {
  const {source} = task
  if (source.kind === 'dir') {
    const stat = await fs.stat(source.path).catch(() => undefined)
    if (!stat?.isDirectory()) throw new TaskSourceError(`the project directory ${source.path} does not exist`)
    return {dir: source.path, [Symbol.asyncDispose]: async () => undefined}
  }
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), `agent-batch-${task.id}-`))
  const dir = path.join(parent, 'repo')
  const dispose = () => fs.rm(parent, {recursive: true, force: true})
  try {
    await git(
      [
        'clone',
        '--quiet',
        '--depth=1',
        '--no-recurse-submodules',
        // Hooks from a template or the user's config must not run for someone else's repository.
        '-c',
        'core.hooksPath=/dev/null',
        ...(source.ref ? ['--branch', source.ref] : []),
        '--',
        source.url,
        dir,
      ],
      signal,
    )
  } catch (error) {
    await dispose()
    throw new TaskSourceError(`could not clone ${source.url}: ${(error as Error).message}`)
  }
  return {dir, [Symbol.asyncDispose]: dispose}
}

function git(args: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        ...(signal ? {signal} : {}),
        // Never ask for credentials on a terminal in the middle of a batch.
        env: {...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true'},
        maxBuffer: 1024 * 1024,
      },
      (error, _stdout, stderr) => {
        if (!error) return resolve()
        const line = String(stderr).trim().split('\n').pop() || error.message
        reject(new Error(line.replace(/^fatal: /, '')))
      },
    )
  })
}
