// Which project files stay on the host: .gitignore-style patterns from .qwenignore plus sandbox.exclude.
import fs from 'node:fs/promises'
import path from 'node:path'
import ignore from 'ignore'

/**
 * Left out unless re-included with a `!` pattern: the .env files Qwen Code reads the model API key from, which
 * must never reach the container.
 */
export const DEFAULT_EXCLUDES = ['/.env', '/.qwen/.env']

/** True when the path (relative, forward slashes) must not be copied; `isDirectory` is asked only when it matters. */
export type IgnorePredicate = (relPath: string, isDirectory: () => boolean) => boolean

export async function loadIgnoreRules(root: string, exclude: readonly string[] = []): Promise<IgnorePredicate> {
  const rules = ignore().add(DEFAULT_EXCLUDES)
  try {
    rules.add(await fs.readFile(path.join(root, '.qwenignore'), 'utf8'))
  } catch {
    // no .qwenignore: nothing more to leave out
  }
  rules.add([...exclude])
  return (relPath, isDirectory) => rules.ignores(relPath) || (rules.ignores(`${relPath}/`) && isDirectory())
}
