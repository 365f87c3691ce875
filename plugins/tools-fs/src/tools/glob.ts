// glob: workspace files whose paths match a pattern, newest first, ignore files respected, the count bounded.
import path from 'node:path'

import {defineTool, resolveWorkspacePath, toolFailure, toolSuccess, workspaceRelative, z} from 'sandboxed-agent/plugin'

import {globToRegExp} from '../lib/glob-pattern.js'
import {guarded} from '../lib/guarded.js'
import {MAX_GLOB_RESULTS} from '../lib/limits.js'
import {statEntry} from '../lib/stat-entry.js'
import {walkWorkspace} from '../lib/walk-workspace.js'

export const globTool = defineTool({
  name: 'glob',
  displayName: 'FindFiles',
  description:
    'Finds files in the workspace whose paths match a glob pattern (e.g. "src/**/*.ts", "**/*.md"; a pattern ' +
    'without "/" such as "*.py" matches file names at any depth). Returns absolute paths, newest first, at most ' +
    `${MAX_GLOB_RESULTS}. Files excluded by .gitignore / .qwenignore are left out unless respect_git_ignore is false.`,
  parameters: z.object({
    pattern: z.string().min(1).describe('The glob pattern to match, relative to path.'),
    path: z.string().optional().describe('Absolute directory to search in, inside /workspace (default /workspace).'),
    case_sensitive: z.boolean().optional().describe('Match case exactly (default false).'),
    respect_git_ignore: z
      .boolean()
      .optional()
      .describe('Leave out files matched by .gitignore / .qwenignore (default true).'),
  }),
  kind: 'search',
  actsOn: 'sandbox',
  describe: ({pattern, path: dir}) => (dir ? `${pattern} in ${dir}` : pattern),
  execute: guarded(async ({pattern, path: dirPath, case_sensitive, respect_git_ignore}, {session, signal}) => {
    const dir = resolveWorkspacePath(dirPath ?? '/workspace')
    const self = await statEntry(session, dir)
    if (self?.type !== 'directory') return toolFailure('invalid_parameters', `${dir} is not a directory`)
    const matcher = globToRegExp(pattern, {caseSensitive: case_sensitive ?? false})
    const walk = await walkWorkspace(session, {start: dir, respectIgnoreFiles: respect_git_ignore !== false, signal})
    const base = workspaceRelative(dir)
    const matches = walk.entries
      .filter((entry) => entry.type === 'file' || entry.type === 'symlink')
      .filter((entry) => matcher.test(base === '.' ? entry.path : path.posix.relative(base, entry.path)))
      .sort((a, b) => b.mtimeMs - a.mtimeMs || a.path.localeCompare(b.path))
    if (matches.length === 0) {
      return toolSuccess(`No files found matching pattern "${pattern}" within ${dir}.`, `No files match ${pattern}`)
    }
    const shown = matches.slice(0, MAX_GLOB_RESULTS).map((entry) => `/workspace/${entry.path}`)
    const notes = [
      matches.length > shown.length
        ? `[${matches.length - shown.length} more files not shown; narrow the pattern]`
        : '',
      walk.truncated ? '[the workspace is large: the search stopped early and may have missed files]' : '',
    ].filter(Boolean)
    return toolSuccess(
      `Found ${matches.length} file(s) matching "${pattern}" within ${dir}, sorted by modification time (newest first):\n` +
        `${shown.join('\n')}${notes.length ? `\n${notes.join('\n')}` : ''}`,
      `Found ${matches.length} file(s) matching ${pattern}`,
    )
  }),
})
