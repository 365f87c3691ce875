// write_file: creates or overwrites one file in the sandbox's workspace, creating parent directories.
import {defineTool, resolveWorkspacePath, toolFailure, toolSuccess, z} from 'sandboxed-agent/plugin'

import {count} from '../lib/count.js'
import {ensureParentDir} from '../lib/ensure-parent.js'
import {guarded} from '../lib/guarded.js'
import {MAX_WRITE_BYTES} from '../lib/limits.js'
import {statEntry} from '../lib/stat-entry.js'

export const writeFileTool = defineTool({
  name: 'write_file',
  displayName: 'WriteFile',
  description:
    'Writes content to a file in the workspace (/workspace), replacing it if it exists and creating it (and its ' +
    'parent directories) if not. Changes stay in the sandbox until the user applies them.',
  parameters: z.object({
    file_path: z
      .string()
      .describe("Absolute path of the file to write, inside /workspace (e.g. '/workspace/src/a.ts')."),
    content: z.string().describe('The complete content to write.'),
  }),
  kind: 'edit',
  actsOn: 'sandbox',
  describe: ({file_path}) => file_path,
  execute: guarded(async ({file_path, content}, {session, signal}) => {
    const file = resolveWorkspacePath(file_path)
    const bytes = Buffer.byteLength(content)
    if (bytes > MAX_WRITE_BYTES)
      return toolFailure(
        'invalid_parameters',
        `content is ${bytes} bytes; write_file writes at most ${MAX_WRITE_BYTES}`,
      )
    const existing = await statEntry(session, file)
    if (existing?.type === 'directory') return toolFailure('invalid_parameters', `${file} is a directory`)
    if (existing?.type === 'other')
      return toolFailure(
        'invalid_parameters',
        `${file} is not a regular file (a device, FIFO or socket); write_file writes regular files only`,
      )
    if (!existing) await ensureParentDir(session, file, signal)
    await session.writeFile(file, content)
    const lines = content === '' ? 0 : content.split('\n').length - (content.endsWith('\n') ? 1 : 0)
    return existing
      ? toolSuccess(`Successfully overwrote file: ${file}`, `Overwrote ${file} (${count(lines, 'line')})`)
      : toolSuccess(`Successfully created and wrote to new file: ${file}`, `Created ${file} (${count(lines, 'line')})`)
  }),
})
