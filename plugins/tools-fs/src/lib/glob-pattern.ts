// Glob patterns (`*`, `**`, `?`, `[abc]`, `{a,b}`) as regular expressions over paths with forward slashes.

export interface GlobOptions {
  caseSensitive?: boolean
}

/**
 * Compiles a glob. A pattern without a slash matches the base name at any depth (as in .gitignore and ripgrep), so
 * `*.ts` finds every TypeScript file; a pattern with a slash matches the whole relative path.
 */
export function globToRegExp(pattern: string, options: GlobOptions = {}): RegExp {
  const trimmed = pattern.replace(/^\.\//, '')
  const anyDepth = !trimmed.includes('/')
  const body = translate(trimmed)
  return new RegExp(anyDepth ? `^(?:.*/)?${body}$` : `^${body}$`, options.caseSensitive ? '' : 'i')
}

function translate(glob: string): string {
  let out = ''
  let braces = 0
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/'
        out += slashAfter ? '(?:.*/)?' : '.*'
        i += slashAfter ? 2 : 1
      } else out += '[^/]*'
    } else if (char === '?') out += '[^/]'
    else if (char === '[') {
      const end = glob.indexOf(']', i + 1)
      if (end === -1) out += '\\['
      else {
        const set = glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replaceAll('\\', '\\\\')
        out += `[${set}]`
        i = end
      }
    } else if (char === '{') {
      braces++
      out += '(?:'
    } else if (char === '}' && braces > 0) {
      braces--
      out += ')'
    } else if (char === ',' && braces > 0) out += '|'
    else out += char.replace(/[.+^$()|\\]/g, '\\$&')
  }
  return out + ')'.repeat(braces)
}
