// read_file: one file from the sandbox's workspace, a window of its lines, binaries and huge files refused.
import {defineTool, isBinaryContent, resolveWorkspacePath, toolFailure, toolSuccess, z} from 'sandboxed-agent/plugin'

import {count} from '../lib/count.js'
import {describeFileError} from '../lib/file-errors.js'
import {guarded} from '../lib/guarded.js'
import {MAX_FILE_BYTES} from '../lib/limits.js'
import {statEntry} from '../lib/stat-entry.js'
import {textWindow} from '../lib/text-window.js'

export const readFileTool = defineTool({
  name: 'read_file',
  displayName: 'ReadFile',
  description:
    'Reads and returns the content of a file in the workspace (/workspace). For large files use offset and limit to ' +
    'read a window of lines; the result says when content was truncated and how to read more. Binary files are ' +
    'detected and not shown.',
  parameters: z.object({
    absolute_path: z
      .string()
      .describe("Absolute path of the file to read, inside /workspace (e.g. '/workspace/src/index.ts')."),
    offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('0-based line number to start reading from. Use with limit for large files.'),
    limit: z.number().int().min(1).optional().describe('Maximum number of lines to read (default 2000).'),
  }),
  kind: 'read',
  actsOn: 'sandbox',
  describe: ({absolute_path, offset, limit}) =>
    offset !== undefined || limit !== undefined
      ? `${absolute_path} (lines from ${(offset ?? 0) + 1}, up to ${limit ?? 'all'})`
      : absolute_path,
  execute: guarded(async ({absolute_path, offset, limit}, {session}) => {
    const file = resolveWorkspacePath(absolute_path)
    let data: Buffer
    try {
      const entry = await statEntry(session, file)
      if (!entry) return toolFailure('execution_failed', `File not found: ${file}`)
      if (entry.type === 'directory')
        return toolFailure('invalid_parameters', `${file} is a directory; use list_directory instead`)
      // A FIFO, socket or device: reading it could block or never end. Links are followed in the sandbox, where the
      // runner opens without blocking and refuses whatever is not a regular file.
      if (entry.type === 'other')
        return toolFailure(
          'invalid_parameters',
          `${file} is not a regular file (a device, FIFO or socket); read_file reads regular files only`,
        )
      if (entry.size > MAX_FILE_BYTES) {
        return toolFailure(
          'execution_failed',
          `${file} is ${entry.size} bytes, more than the ${MAX_FILE_BYTES} bytes read_file reads; use search_file_content or a shell command to look inside it`,
        )
      }
      data = await session.readFile(file)
    } catch (error) {
      return toolFailure('execution_failed', describeFileError(error, file))
    }
    if (isBinaryContent(data)) {
      return toolSuccess(
        `Cannot display content of binary file: ${file} (${data.length} bytes)`,
        `${file}: binary file, ${data.length} bytes`,
      )
    }
    const window = textWindow(data.toString('utf8'), offset, limit)
    if ((offset ?? 0) > 0 && (offset ?? 0) >= window.totalLines) {
      return toolFailure(
        'invalid_parameters',
        `offset ${offset} is past the end of ${file}, which has ${window.totalLines} lines`,
      )
    }
    const header = window.truncated
      ? `[File content truncated: showing lines ${window.firstLine}-${window.lastLine} of ${window.totalLines} total lines. ` +
        `Use offset: ${window.lastLine} to read more.]\n`
      : ''
    const shown = window.truncated
      ? `lines ${window.firstLine}-${window.lastLine} of ${window.totalLines}`
      : count(window.totalLines, 'line')
    return toolSuccess(`${header}${window.text}`, `Read ${file} (${shown})`)
  }),
})
