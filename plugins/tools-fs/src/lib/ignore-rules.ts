// .gitignore and .qwenignore rules, each file applying below its own directory, as git applies them.
import path from 'node:path'

import ignore, {type Ignore} from 'ignore'
import type {SandboxSession} from 'sandboxed-agent/plugin'

export const IGNORE_FILE_NAMES = ['.gitignore', '.qwenignore'] as const
/** Directories never walked: version control internals. */
export const ALWAYS_SKIPPED_DIRS = ['.git']
/** Most ignore files read in one call (a vendored tree can hold thousands). */
const MAX_IGNORE_FILES = 200

export class IgnoreRules {
  private readonly byDir = new Map<string, Ignore>()

  /** Adds the rules of one ignore file found in `dir` (relative to /workspace, `` for the root). */
  add(dir: string, text: string): void {
    const rules = this.byDir.get(dir) ?? ignore()
    rules.add(text)
    this.byDir.set(dir, rules)
  }

  /** Whether a path relative to /workspace is ignored by any rule file in it or above it. */
  ignores(relative: string, isDirectory = false): boolean {
    const parts = relative.split('/')
    if (parts.some((part) => ALWAYS_SKIPPED_DIRS.includes(part))) return true
    for (const [dir, rules] of this.byDir) {
      if (dir !== '' && relative !== dir && !relative.startsWith(`${dir}/`)) continue
      const below = dir === '' ? relative : relative.slice(dir.length + 1)
      if (below === '') continue
      if (rules.ignores(isDirectory ? `${below}/` : below)) return true
    }
    return false
  }

  /**
   * Names of directories the root rules exclude outright (`dist/`, `node_modules`): a walk can prune them instead of
   * listing them, as git never re-includes anything below an excluded directory.
   */
  prunableDirs(): {anywhere: string[]; anchored: string[]} {
    const anywhere: string[] = []
    const anchored: string[] = []
    for (const line of this.rootLines) {
      const match = /^(\/)?([A-Za-z0-9._-]+)\/?$/.exec(line)
      if (!match || match[2] === '.' || match[2] === '..') continue
      if (match[1]) anchored.push(match[2]!)
      else anywhere.push(match[2]!)
    }
    return {anywhere, anchored}
  }

  private rootLines: string[] = []

  /** Remembers the root files' raw lines (for prunableDirs). */
  addRoot(text: string): void {
    this.add('', text)
    this.rootLines.push(
      ...text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#')),
    )
    if (this.rootLines.some((line) => line.startsWith('!')))
      this.rootLines = this.rootLines.filter((line) => !line.startsWith('!'))
  }
}

/** Reads the workspace root's ignore files (missing ones are fine). */
export async function loadRootIgnoreRules(session: SandboxSession): Promise<IgnoreRules> {
  const rules = new IgnoreRules()
  for (const name of IGNORE_FILE_NAMES) {
    const text = await readOptional(session, `/workspace/${name}`)
    if (text !== undefined) rules.addRoot(text)
  }
  return rules
}

/** Adds the rules of nested ignore files (paths relative to /workspace) found by a walk. */
export async function addNestedIgnoreRules(
  session: SandboxSession,
  rules: IgnoreRules,
  files: string[],
): Promise<void> {
  const nested = files.filter(
    (file) => file.includes('/') && IGNORE_FILE_NAMES.some((name) => path.posix.basename(file) === name),
  )
  for (const file of nested.slice(0, MAX_IGNORE_FILES)) {
    const text = await readOptional(session, `/workspace/${file}`)
    if (text !== undefined) rules.add(path.posix.dirname(file), text)
  }
}

/** Loads the rules that apply to one directory: the root's and those of each directory down to it. */
export async function loadIgnoreRulesFor(session: SandboxSession, relativeDir: string): Promise<IgnoreRules> {
  const rules = await loadRootIgnoreRules(session)
  const parts = relativeDir === '.' || relativeDir === '' ? [] : relativeDir.split('/')
  for (let depth = 1; depth <= parts.length; depth++) {
    const dir = parts.slice(0, depth).join('/')
    for (const name of IGNORE_FILE_NAMES) {
      const text = await readOptional(session, `/workspace/${dir}/${name}`)
      if (text !== undefined) rules.add(dir, text)
    }
  }
  return rules
}

async function readOptional(session: SandboxSession, file: string): Promise<string | undefined> {
  try {
    return (await session.readFile(file)).toString('utf8')
  } catch {
    return undefined
  }
}
