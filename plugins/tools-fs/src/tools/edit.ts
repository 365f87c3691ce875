// edit: exact-string replacement in one file, with the number of occurrences the caller expects checked first.
import {defineTool, isBinaryContent, resolveWorkspacePath, toolFailure, toolSuccess, z} from 'sandboxed-agent/plugin'

import {ensureParentDir} from '../lib/ensure-parent.js'
import {guarded} from '../lib/guarded.js'
import {MAX_FILE_BYTES} from '../lib/limits.js'
import {statEntry} from '../lib/stat-entry.js'

export const editTool = defineTool({
  name: 'edit',
  displayName: 'Edit',
  description:
    'Replaces text in a file in the workspace (/workspace). old_string must match the file exactly (whitespace and ' +
    'indentation included) and, unless expected_replacements says otherwise, exactly once: include enough ' +
    'surrounding lines to make it unique. An empty old_string creates a new file with new_string as content.',
  parameters: z.object({
    file_path: z.string().describe('Absolute path of the file to modify, inside /workspace.'),
    old_string: z.string().describe('The exact literal text to replace (empty to create a new file).'),
    new_string: z.string().describe('The exact literal text to put in its place.'),
    expected_replacements: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('How many occurrences to replace (default 1). The edit fails unless exactly this many are found.'),
  }),
  kind: 'edit',
  actsOn: 'sandbox',
  describe: ({file_path}) => file_path,
  execute: guarded(async ({file_path, old_string, new_string, expected_replacements}, {session, signal}) => {
    const file = resolveWorkspacePath(file_path)
    const expected = expected_replacements ?? 1
    const entry = await statEntry(session, file)
    if (old_string === '') {
      if (entry)
        return toolFailure(
          'invalid_parameters',
          `Failed to edit: ${file} already exists, so old_string must not be empty`,
        )
      await ensureParentDir(session, file, signal)
      await session.writeFile(file, new_string)
      return toolSuccess(`Created new file: ${file} with provided content.`, `Created ${file}`)
    }
    if (!entry)
      return toolFailure(
        'execution_failed',
        `Failed to edit: ${file} does not exist (use an empty old_string to create it)`,
      )
    if (entry.type !== 'file') return toolFailure('invalid_parameters', `Failed to edit: ${file} is not a regular file`)
    if (entry.size > MAX_FILE_BYTES)
      return toolFailure('execution_failed', `Failed to edit: ${file} is larger than ${MAX_FILE_BYTES} bytes`)
    if (old_string === new_string)
      return toolFailure(
        'invalid_parameters',
        'Failed to edit: old_string and new_string are identical, nothing would change',
      )
    const data = await session.readFile(file)
    if (isBinaryContent(data)) return toolFailure('invalid_parameters', `Failed to edit: ${file} is a binary file`)
    const content = data.toString('utf8')
    const found = countOccurrences(content, old_string)
    if (found === 0) {
      return toolFailure(
        'execution_failed',
        `Failed to edit, 0 occurrences found for old_string in ${file}. No edits made. Read the file again and copy the ` +
          'text exactly, including whitespace and indentation.',
        `old_string not found in ${file}`,
      )
    }
    if (found !== expected) {
      return toolFailure(
        'execution_failed',
        `Failed to edit, expected ${expected} occurrence${expected === 1 ? '' : 's'} but found ${found} for old_string in ${file}. ` +
          (expected === 1
            ? 'Add surrounding lines to old_string so it matches only one place, or set expected_replacements.'
            : 'Set expected_replacements to the number of places you mean to change.'),
        `old_string matches ${found} places in ${file}, expected ${expected}`,
      )
    }
    await session.writeFile(file, content.split(old_string).join(new_string))
    return toolSuccess(
      `Successfully modified file: ${file} (${found} replacement${found === 1 ? '' : 's'}).`,
      `Edited ${file} (${found} replacement${found === 1 ? '' : 's'})`,
    )
  }),
})

/** Non-overlapping occurrences, the way split/join replaces them. */
export function countOccurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1
}
