// Where context files are looked for, in Qwen Code's order: ~/.qwen, the project's ancestors down to the project root
// (stopping at a git repository's root or the home directory), then directories below the project (bounded, ignores
// respected).
import type {Dirent} from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'

import ignore from 'ignore'

export type ContextFileScope = 'global' | 'ancestor' | 'project' | 'subdirectory'

export interface ContextFileCandidate {
  path: string
  scope: ContextFileScope
}

export interface DiscoverOptions {
  projectRoot: string
  home: string
  fileNames: readonly string[]
  maxDirs: number
  notice: (line: string) => void
  signal?: AbortSignal
}

/** Never searched for context files below the project root. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn'])

export async function discoverContextFiles(options: DiscoverOptions): Promise<ContextFileCandidate[]> {
  const found: ContextFileCandidate[] = []
  const add = async (dir: string, scope: ContextFileScope) => {
    for (const name of options.fileNames) {
      const file = path.join(dir, name)
      if (await exists(file)) found.push({path: file, scope})
    }
  }
  await add(path.join(options.home, '.qwen'), 'global')
  for (const dir of ancestors(options.projectRoot, options.home, await gitRootOf(options.projectRoot)))
    await add(dir, 'ancestor')
  await add(options.projectRoot, 'project')
  for (const dir of await subdirectories(options)) await add(dir, 'subdirectory')
  return dedupe(found)
}

/** The project root's ancestors from the top down: up to the git root that holds it, else up to (not incl.) home. */
function ancestors(projectRoot: string, home: string, gitRoot: string | undefined): string[] {
  const dirs: string[] = []
  if (gitRoot === projectRoot) return dirs
  for (let current = path.dirname(projectRoot); current !== path.dirname(current); current = path.dirname(current)) {
    if (gitRoot === undefined && current === home) break
    dirs.unshift(current)
    if (current === gitRoot) break
  }
  return dirs
}

async function gitRootOf(dir: string): Promise<string | undefined> {
  let current = dir
  for (;;) {
    if (await exists(path.join(current, '.git'))) return current
    const parent = path.dirname(current)
    if (parent === current) return undefined
    current = parent
  }
}

/** Breadth-first below the project root, at most `maxDirs` directories, skipping ignored ones. */
async function subdirectories(options: DiscoverOptions): Promise<string[]> {
  if (options.maxDirs <= 0) return []
  const rules = ignore()
  for (const name of ['.gitignore', '.qwenignore']) {
    try {
      rules.add(await fs.readFile(path.join(options.projectRoot, name), 'utf8'))
    } catch {
      // no such file: nothing ignored by it
    }
  }
  const result: string[] = []
  const queue = [options.projectRoot]
  let truncated = false
  while (queue.length > 0) {
    options.signal?.throwIfAborted()
    const dir = queue.shift() as string
    let entries: Dirent[]
    try {
      entries = await fs.readdir(dir, {withFileTypes: true})
    } catch {
      continue
    }
    const children = entries
      .filter((entry) => entry.isDirectory() && !SKIPPED_DIRS.has(entry.name))
      .map((entry) => path.join(dir, entry.name))
      .filter((child) => !rules.ignores(`${path.relative(options.projectRoot, child).split(path.sep).join('/')}/`))
      .sort()
    for (const child of children) {
      if (result.length >= options.maxDirs) {
        truncated = true
        break
      }
      result.push(child)
      queue.push(child)
    }
    if (truncated) break
  }
  if (truncated)
    options.notice(
      `Context files: searched only the first ${options.maxDirs} directories below the project (context.discoveryMaxDirs)`,
    )
  return result
}

async function dedupe(found: ContextFileCandidate[]): Promise<ContextFileCandidate[]> {
  const seen = new Set<string>()
  const out: ContextFileCandidate[] = []
  for (const candidate of found) {
    const real = await fs.realpath(candidate.path).catch(() => candidate.path)
    if (seen.has(real)) continue
    seen.add(real)
    out.push(candidate)
  }
  return out
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  )
}
