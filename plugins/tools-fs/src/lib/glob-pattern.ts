// Glob patterns (`*`, `**`, `?`, `[abc]`, `{a,b}`) as regular expressions over paths with forward slashes (picomatch).
import picomatch from 'picomatch'

export interface GlobOptions {
  caseSensitive?: boolean
}

/**
 * Compiles a glob. A pattern without a slash matches the base name at any depth (as in .gitignore and ripgrep), so
 * `*.ts` finds every TypeScript file; a pattern with a slash matches the whole relative path. Dot files match.
 */
export function globToRegExp(pattern: string, options: GlobOptions = {}): RegExp {
  // `[!ch]` is the shell's (and .gitignore's) negated set; picomatch reads `!` there literally, `^` as negation.
  const trimmed = pattern.replace(/^\.\//, '').replaceAll('[!', '[^')
  const anyDepth = !trimmed.includes('/')
  return picomatch.makeRe(anyDepth ? `**/${trimmed}` : trimmed, {dot: true, nocase: !options.caseSensitive})
}
