// search_file_content: a regular expression searched in the workspace's text files (grep in the sandbox), bounded.
import path from 'node:path'

import {defineTool, resolveWorkspacePath, toolFailure, toolSuccess, workspaceRelative, z} from 'sandboxed-agent/plugin'

import {globToRegExp} from '../lib/glob-pattern.js'
import {guarded} from '../lib/guarded.js'
import {EXEC_TIMEOUT_MS, MAX_LINE_CHARS, MAX_SEARCH_MATCHES} from '../lib/limits.js'
import {shellQuote} from '../lib/shell-quote.js'
import {statEntry} from '../lib/stat-entry.js'
import {walkWorkspace} from '../lib/walk-workspace.js'

const MAX_MATCH_LINE_CHARS = Math.min(MAX_LINE_CHARS, 500)

export const searchFileContentTool = defineTool({
  name: 'search_file_content',
  displayName: 'SearchText',
  description:
    'Searches the content of files in the workspace for a regular expression (case-insensitive) and returns the ' +
    `matching lines with file paths and line numbers, at most ${MAX_SEARCH_MATCHES}. Binary files and files ` +
    'excluded by .gitignore / .qwenignore are skipped.',
  parameters: z.object({
    pattern: z.string().min(1).describe('The regular expression to search for (e.g. "function\\\\s+myFunction").'),
    path: z
      .string()
      .optional()
      .describe('Absolute directory or file to search, inside /workspace (default /workspace).'),
    include: z.string().optional().describe('Glob of files to search (e.g. "*.js", "src/**/*.{ts,tsx}").'),
  }),
  kind: 'search',
  actsOn: 'sandbox',
  describe: ({pattern, path: where, include}) =>
    `"${pattern}"${where ? ` in ${where}` : ''}${include ? ` (${include})` : ''}`,
  execute: guarded(async ({pattern, path: wherePath, include}, {session, signal}) => {
    try {
      new RegExp(pattern)
    } catch (error) {
      return toolFailure('invalid_parameters', `pattern is not a valid regular expression: ${(error as Error).message}`)
    }
    const where = resolveWorkspacePath(wherePath ?? '/workspace')
    const self = await statEntry(session, where)
    if (!self) return toolFailure('execution_failed', `Path not found: ${where}`)
    const base = workspaceRelative(self.type === 'directory' ? where : path.posix.dirname(where))
    // Which files may be searched: the walk applies the ignore files; grep then runs once over the whole tree.
    const allowed = new Set<string>()
    if (self.type === 'directory') {
      const walk = await walkWorkspace(session, {start: where, respectIgnoreFiles: true, signal})
      const filter = include ? globToRegExp(include) : undefined
      for (const entry of walk.entries) {
        if (entry.type !== 'file') continue
        const relative = base === '.' ? entry.path : path.posix.relative(base, entry.path)
        if (!filter || filter.test(relative)) allowed.add(entry.path)
      }
    } else allowed.add(workspaceRelative(where))
    if (allowed.size === 0) return toolSuccess(noMatches(pattern, where, include), `No matches for "${pattern}"`)

    const target = shellQuote(workspaceRelative(where))
    // -P is closest to the model's (JavaScript) regex syntax; fall back to -E where grep lacks PCRE.
    const grep = (flavour: string): string =>
      `grep -r -n -I -i -H --null ${flavour} --exclude-dir=.git -e ${shellQuote(pattern)} -- ${target} | head -n 20000`
    let result = await session.exec(grep('-P'), {
      cwd: '/workspace',
      timeoutMs: EXEC_TIMEOUT_MS,
      signal,
      maxOutputBytes: 16 * 1024 * 1024,
    }).result
    if (/support for the -P option|-P supports only|invalid option/i.test(result.stderr.text)) {
      result = await session.exec(grep('-E'), {
        cwd: '/workspace',
        timeoutMs: EXEC_TIMEOUT_MS,
        signal,
        maxOutputBytes: 16 * 1024 * 1024,
      }).result
    }
    if (result.timedOut)
      return toolFailure('timed_out', `search timed out after ${EXEC_TIMEOUT_MS / 1000} s; narrow path or include`)
    const matches: {file: string; line: number; text: string}[] = []
    for (const record of result.stdout.text.split('\n')) {
      const nul = record.indexOf('\0')
      if (nul === -1) continue
      const file = record.slice(0, nul).replace(/^\.\//, '')
      const rest = record.slice(nul + 1)
      const colon = rest.indexOf(':')
      if (colon === -1 || !allowed.has(file)) continue
      matches.push({file, line: Number(rest.slice(0, colon)), text: rest.slice(colon + 1)})
    }
    if (matches.length === 0) {
      const stderr = result.stderr.text.trim()
      if (result.exitCode === 2 && stderr)
        return toolFailure('execution_failed', `search failed: ${stderr.split('\n')[0]}`)
      return toolSuccess(noMatches(pattern, where, include), `No matches for "${pattern}"`)
    }
    matches.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    const shown = matches.slice(0, MAX_SEARCH_MATCHES)
    const byFile = new Map<string, string[]>()
    for (const match of shown) {
      const text =
        match.text.length > MAX_MATCH_LINE_CHARS ? `${match.text.slice(0, MAX_MATCH_LINE_CHARS)}...` : match.text
      byFile.set(match.file, [...(byFile.get(match.file) ?? []), `L${match.line}: ${text}`])
    }
    const body = [...byFile].map(([file, lines]) => `File: /workspace/${file}\n${lines.join('\n')}`).join('\n---\n')
    const more =
      matches.length > shown.length
        ? `\n---\n[${matches.length - shown.length} more matches not shown; narrow the search]`
        : ''
    return toolSuccess(
      `Found ${matches.length} match(es) for pattern "${pattern}" in ${where}${include ? ` (filter: "${include}")` : ''}:\n---\n${body}${more}`,
      `Found ${matches.length} match(es) in ${byFile.size} file(s)`,
    )
  }),
})

function noMatches(pattern: string, where: string, include: string | undefined): string {
  return `No matches found for pattern "${pattern}" in ${where}${include ? ` (filter: "${include}")` : ''}.`
}
