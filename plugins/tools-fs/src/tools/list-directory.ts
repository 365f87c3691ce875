// list_directory: the entries of one workspace directory, directories first, ignore files and globs respected.
import path from 'node:path'

import {defineTool, resolveWorkspacePath, toolFailure, toolSuccess, workspaceRelative, z} from 'sandboxed-agent/plugin'

import {globToRegExp} from '../lib/glob-pattern.js'
import {guarded} from '../lib/guarded.js'
import {IgnoreRules, loadIgnoreRulesFor} from '../lib/ignore-rules.js'
import {statEntry} from '../lib/stat-entry.js'

export const listDirectoryTool = defineTool({
  name: 'list_directory',
  displayName: 'ReadFolder',
  description:
    'Lists the files and subdirectories directly inside a directory of the workspace (/workspace), directories ' +
    'first. Entries excluded by .gitignore / .qwenignore are hidden unless respect_git_ignore is false.',
  parameters: z.object({
    path: z.string().describe("Absolute path of the directory to list, inside /workspace (e.g. '/workspace/src')."),
    ignore: z.array(z.string()).optional().describe('Glob patterns of names to leave out (e.g. ["*.log", "dist"]).'),
    respect_git_ignore: z
      .boolean()
      .optional()
      .describe('Hide entries matched by .gitignore / .qwenignore (default true).'),
  }),
  kind: 'read',
  actsOn: 'sandbox',
  describe: ({path: dir}) => dir,
  execute: guarded(async ({path: dirPath, ignore, respect_git_ignore}, {session}) => {
    const dir = resolveWorkspacePath(dirPath)
    const self = await statEntry(session, dir)
    if (!self) return toolFailure('execution_failed', `Directory not found: ${dir}`)
    if (self.type !== 'directory')
      return toolFailure('invalid_parameters', `${dir} is not a directory; use read_file for files`)
    const relativeDir = workspaceRelative(dir)
    const rules = respect_git_ignore === false ? new IgnoreRules() : await loadIgnoreRulesFor(session, relativeDir)
    const patterns = (ignore ?? []).map((pattern) => globToRegExp(pattern, {caseSensitive: true}))
    let hidden = 0
    const shown = (await session.list(dir)).filter((entry) => {
      const relative = relativeDir === '.' ? entry.name : path.posix.join(relativeDir, entry.name)
      const drop =
        patterns.some((pattern) => pattern.test(entry.name)) || rules.ignores(relative, entry.type === 'directory')
      if (drop) hidden++
      return !drop
    })
    shown.sort(
      (a, b) => Number(b.type === 'directory') - Number(a.type === 'directory') || a.name.localeCompare(b.name),
    )
    const lines = shown.map((entry) => (entry.type === 'directory' ? `[DIR] ${entry.name}` : entry.name))
    const note = hidden > 0 ? `\n\n(${hidden} ignored)` : ''
    if (shown.length === 0)
      return toolSuccess(`Directory ${dir} is empty.${note}`, `${dir}: empty${hidden ? `, ${hidden} ignored` : ''}`)
    return toolSuccess(
      `Directory listing for ${dir}:\n${lines.join('\n')}${note}`,
      `Listed ${shown.length} entr${shown.length === 1 ? 'y' : 'ies'} in ${dir}${hidden ? ` (${hidden} ignored)` : ''}`,
    )
  }),
})
