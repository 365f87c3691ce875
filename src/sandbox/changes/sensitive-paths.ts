// Which workspace paths tools on the host run or load on their own: `.git` is never written, these need a second yes.

/** Characters some file systems ignore in names (HFS+), so `.g\u200cit` is `.git` there. */
const IGNORED_IN_NAMES = /[\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/g

/** A path component as a case-insensitive file system with name folding may see it. */
export function foldName(name: string): string {
  return name
    .replace(IGNORED_IN_NAMES, '')
    .replace(/[. ]+$/, '')
    .toLowerCase()
}

/** `.git` in any case (and the forms Windows and macOS file systems treat as `.git`): git runs what is inside. */
export function isGitComponent(name: string): boolean {
  const folded = foldName(name)
  return folded === '.git' || folded === 'git~1'
}

/** Directories whose files editors, git or package managers run or load by themselves, matched at any depth. */
const SENSITIVE_DIRS = new Map<string, string>([
  ['.qwen', 'agent settings (read by the next run)'],
  ['.vscode', 'editor tasks and settings (VS Code runs them)'],
  ['.idea', 'IDE run configurations (JetBrains runs them)'],
  ['.githooks', 'git hooks'],
  ['.git-hooks', 'git hooks'],
  ['.hooks', 'git hooks'],
  ['.husky', 'git hooks (husky)'],
])

/** File names (any directory) that tools load on their own. `.env*` is matched by prefix. */
const SENSITIVE_FILES = new Map<string, string>([
  ['.envrc', 'shell environment (direnv runs it)'],
  ['.gitattributes', 'git filters and diff drivers'],
  ['.gitmodules', 'git submodule URLs and commands'],
  ['.npmrc', 'npm configuration (registry, scripts, tokens)'],
  ['.pypirc', 'Python package index configuration'],
  ['.yarnrc', 'yarn configuration'],
  ['.yarnrc.yml', 'yarn configuration (yarnPath runs code)'],
  ['.pnpmfile.cjs', 'pnpm hooks (run by pnpm install)'],
  ['.pre-commit-config.yaml', 'git hooks (pre-commit)'],
  ['lefthook.yml', 'git hooks (lefthook)'],
  ['.lefthook.yml', 'git hooks (lefthook)'],
])

/**
 * Why a workspace-relative path is sensitive, or undefined. `hooksDirs` are the project's own hook directories the
 * host's git configuration names (core.hooksPath), as workspace-relative paths.
 */
export function sensitiveReason(rel: string, hooksDirs: readonly string[] = []): string | undefined {
  const segments = rel.split('/').map(foldName)
  for (const [i, segment] of segments.entries()) {
    const dir = SENSITIVE_DIRS.get(segment)
    if (dir) return dir
    if (segment === '.github' && segments[i + 1] === 'workflows')
      return 'CI workflows (run with the repository secrets)'
  }
  const folded = segments.join('/')
  for (const hooks of hooksDirs) {
    const dir = hooks.split('/').map(foldName).join('/')
    if (dir !== '' && (folded === dir || folded.startsWith(`${dir}/`))) return 'git hooks (core.hooksPath)'
  }
  const name = segments.at(-1) ?? ''
  const file = SENSITIVE_FILES.get(name)
  if (file) return file
  if (name.startsWith('.env')) return 'environment file (loaded by tools and by the next run)'
  return undefined
}
