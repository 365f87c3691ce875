// A task's changes as one `git apply`-able patch (text, binary, modes, links), made in a scratch repository on the host.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import type {ChangeSet, FileChange} from '../sandbox/types.js'

export interface TaskPatch {
  /** The patch (empty when nothing changed). */
  text: string
  /** Paths changed in the sandbox that the patch leaves out, and why (the apply policy refuses them). */
  leftOut: {path: string; reason: string}[]
}

/**
 * Builds the patch with git itself, so binary files and modes come out exactly as `git apply` wants them: the changed
 * paths as they were in the project go into a scratch repository's first commit, then the sandbox's versions (read
 * through `read`) replace them, and `git diff --binary` says the difference. Only changed paths are copied.
 */
export async function makeTaskPatch(
  changeSet: ChangeSet,
  projectDir: string,
  read: (relPath: string) => Promise<Buffer>,
): Promise<TaskPatch> {
  const leftOut: TaskPatch['leftOut'] = []
  const included: FileChange[] = []
  for (const change of changeSet.changes) {
    const refused = change.verdict?.refused ?? (hasGitComponent(change.path) ? '.git is never changed' : undefined)
    if (refused) leftOut.push({path: change.path, reason: refused})
    else if (change.entryType === 'directory') continue
    else if (change.entryType === 'other') leftOut.push({path: change.path, reason: 'not a file or a link'})
    else included.push(change)
  }
  if (included.length === 0) return {text: '', leftOut}
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-batch-patch-'))
  try {
    await git(scratch, ['init', '--quiet'])
    // Before: the project's copy of every changed path that existed.
    for (const change of included) {
      if (change.kind === 'added') continue
      const from = path.join(projectDir, change.path)
      const stat = await fs.lstat(from).catch(() => undefined)
      if (!stat) continue
      const to = await target(scratch, change.path)
      if (stat.isSymbolicLink()) await fs.symlink(await fs.readlink(from), to)
      else if (stat.isFile()) {
        await fs.copyFile(from, to)
        await fs.chmod(to, stat.mode & 0o777)
      }
    }
    await git(scratch, ['add', '--all'])
    await git(scratch, [
      '-c',
      'user.name=agent',
      '-c',
      'user.email=agent@localhost',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'base',
    ])
    // After: the sandbox's versions (deletions first, so a path can change from file to link or back).
    for (const change of included) {
      const to = await target(scratch, change.path)
      await fs.rm(to, {force: true})
    }
    for (const change of included) {
      if (change.kind === 'deleted') continue
      const to = await target(scratch, change.path)
      if (change.entryType === 'symlink') await fs.symlink(change.linkTarget ?? '', to)
      else {
        await fs.writeFile(to, await read(change.path), {flag: 'wx'})
        await fs.chmod(to, (change.mode ?? 0o644) & 0o777)
      }
    }
    await git(scratch, ['add', '--all'])
    const text = await git(scratch, ['diff', '--cached', '--binary', '--full-index', 'HEAD'])
    return {text, leftOut}
  } finally {
    await fs.rm(scratch, {recursive: true, force: true})
  }
}

function hasGitComponent(rel: string): boolean {
  return rel.split('/').some((part) => part.toLowerCase() === '.git')
}

/** The scratch path for `rel`, its parents made; refuses a path through a link or out of the scratch directory. */
async function target(root: string, rel: string): Promise<string> {
  const parts = rel.split('/')
  if (parts.some((part) => part === '' || part === '.' || part === '..')) throw new Error(`unexpected path ${rel}`)
  let dir = root
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part)
    const stat = await fs.lstat(dir).catch(() => undefined)
    if (!stat) await fs.mkdir(dir)
    else if (!stat.isDirectory()) {
      // A link or file where a directory is needed: the old entry gives way (it is part of the change too).
      await fs.rm(dir, {force: true})
      await fs.mkdir(dir)
    }
  }
  return path.join(dir, parts[parts.length - 1]!)
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {cwd, maxBuffer: 1024 * 1024 * 1024, env: {...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd}},
      (error, stdout, stderr) =>
        error ? reject(new Error(`git ${args[0]}: ${String(stderr).trim()}`)) : resolve(stdout),
    )
  })
}
