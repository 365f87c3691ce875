// read_many_files: several workspace files at once, chosen by paths or globs, concatenated with separators, bounded.
import {
  defineTool,
  isBinaryContent,
  resolveWorkspacePath,
  toolSuccess,
  workspaceRelative,
  z,
} from 'sandboxed-agent/plugin'

import {globToRegExp} from '../lib/glob-pattern.js'
import {guarded} from '../lib/guarded.js'
import {MAX_FILE_BYTES, MAX_MANY_FILES, MAX_RESULT_CHARS} from '../lib/limits.js'
import {walkWorkspace} from '../lib/walk-workspace.js'

/** Left out unless useDefaultExcludes is false: dependencies, build output, VCS and lock files. */
const DEFAULT_EXCLUDES = [
  '**/node_modules/**',
  '**/.git/**',
  '**/dist/**',
  '**/build/**',
  '**/__pycache__/**',
  '**/*.lock',
  '**/package-lock.json',
]

export const readManyFilesTool = defineTool({
  name: 'read_many_files',
  displayName: 'ReadManyFiles',
  description:
    'Reads several text files of the workspace in one call. `paths` are files, directories (read recursively) or ' +
    'glob patterns relative to /workspace (e.g. ["src/**/*.ts", "README.md"]). Each file is preceded by ' +
    `"--- <path> ---". Binary files are skipped; at most ${MAX_MANY_FILES} files and ${MAX_RESULT_CHARS} characters are returned.`,
  parameters: z.object({
    paths: z
      .array(z.string().min(1))
      .min(1)
      .describe('Files, directories or glob patterns, relative to /workspace or absolute inside it.'),
    include: z.array(z.string()).optional().describe('More glob patterns to include.'),
    exclude: z.array(z.string()).optional().describe('Glob patterns to leave out.'),
    useDefaultExcludes: z
      .boolean()
      .optional()
      .describe('Leave out node_modules, .git, dist, build and lock files (default true).'),
    respect_git_ignore: z
      .boolean()
      .optional()
      .describe('Leave out files matched by .gitignore / .qwenignore (default true).'),
  }),
  kind: 'read',
  actsOn: 'sandbox',
  describe: ({paths}) => paths.join(', '),
  execute: guarded(async ({paths, include, exclude, useDefaultExcludes, respect_git_ignore}, {session, signal}) => {
    const wanted = [...paths, ...(include ?? [])].map(toMatcher)
    const unwanted = [...(exclude ?? []), ...(useDefaultExcludes === false ? [] : DEFAULT_EXCLUDES)].map((glob) =>
      globToRegExp(glob),
    )
    const walk = await walkWorkspace(session, {
      start: '/workspace',
      respectIgnoreFiles: respect_git_ignore !== false,
      signal,
    })
    const selected = walk.entries
      .filter((entry) => entry.type === 'file')
      .filter(
        (entry) => wanted.some((match) => match(entry.path)) && !unwanted.some((pattern) => pattern.test(entry.path)),
      )
      .sort((a, b) => a.path.localeCompare(b.path))
    if (selected.length === 0) {
      return toolSuccess(
        `No files matching ${JSON.stringify(paths)} were found (after ignore files and excludes).`,
        'No files matched',
      )
    }
    const parts: string[] = []
    const skipped: string[] = []
    let size = 0
    let read = 0
    for (const entry of selected) {
      if (read >= MAX_MANY_FILES || size >= MAX_RESULT_CHARS) {
        skipped.push(`${entry.path} (limit reached)`)
        continue
      }
      if (entry.size > MAX_FILE_BYTES) {
        skipped.push(`${entry.path} (too large)`)
        continue
      }
      const data = await session.readFile(`/workspace/${entry.path}`)
      if (isBinaryContent(data)) {
        skipped.push(`${entry.path} (binary)`)
        continue
      }
      let text = data.toString('utf8')
      if (size + text.length > MAX_RESULT_CHARS)
        text = `${text.slice(0, MAX_RESULT_CHARS - size)}\n[... file truncated ...]`
      size += text.length
      read++
      parts.push(`--- /workspace/${entry.path} ---\n\n${text}\n\n`)
    }
    const skippedNote = skipped.length
      ? `\n[Skipped ${skipped.length} file(s): ${skipped.slice(0, 20).join(', ')}${skipped.length > 20 ? ', ...' : ''}]`
      : ''
    return toolSuccess(
      `${parts.join('')}--- End of content ---${skippedNote}`,
      `Read ${read} file(s)${skipped.length ? `, skipped ${skipped.length}` : ''}`,
    )
  }),
})

/** A path given to read_many_files: an exact file, a directory (everything below it), or a glob. */
function toMatcher(input: string): (relative: string) => boolean {
  if (/[*?[{]/.test(input)) {
    const pattern = globToRegExp(input.startsWith('/workspace/') ? input.slice('/workspace/'.length) : input)
    return (relative) => pattern.test(relative)
  }
  const relative = workspaceRelative(resolveWorkspacePath(input))
  if (relative === '.') return () => true
  return (candidate) => candidate === relative || candidate.startsWith(`${relative}/`)
}
