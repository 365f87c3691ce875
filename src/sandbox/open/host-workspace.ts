// Step: the project directory on the host, resolved to its real path; and its unreadable files as user errors.
import fs from 'node:fs/promises'

import {UserInputError} from '../../errors.js'
import {fileProblem} from '../../file-problem.js'

export async function realDirectory(dir: string): Promise<string> {
  try {
    const real = await fs.realpath(dir)
    if (!(await fs.stat(real)).isDirectory()) throw new Error('not a directory')
    return real
  } catch {
    throw new UserInputError(`The workspace ${dir} is not a directory`)
  }
}

/** A file of the project that could not be read while copying it in (not a Docker problem): a user error. */
export function hostFileError(error: unknown, root: string): UserInputError | undefined {
  const e = error as NodeJS.ErrnoException
  if (typeof e?.path !== 'string' || typeof e.syscall !== 'string' || !e.path.startsWith(root)) return undefined
  return new UserInputError(`Cannot read ${e.path} in the project (${fileProblem(e)})`, {
    hint: 'Make it readable, or leave it out with .qwenignore or sandbox.exclude',
    cause: error,
  })
}
