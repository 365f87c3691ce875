// `apply_changes`: in ACP mode, the only way the sandbox's edits reach the project, a host tool the client approves.
import {z} from 'zod'

import type {ToolDefinition} from '../../tools/types.js'

export const APPLY_CHANGES_TOOL = 'apply_changes'

const parameters = z.object({
  summary: z.string().describe('One sentence saying what the changes do, shown to the user with the diff.'),
})

/**
 * Applies what changed in /workspace to the user's project, through the session's hardened apply (nothing outside
 * the project, `.git` refused). It acts on the host, so the approvals always ask the client, which shows the diff.
 */
export const applyChangesTool: ToolDefinition<z.infer<typeof parameters>> = {
  name: APPLY_CHANGES_TOOL,
  displayName: 'Apply changes to the project',
  description:
    "Copy the changes made in /workspace to the user's project. Call it once the work is done and checked; the user " +
    'sees the diff and approves or declines. Files change only if the user approves.',
  parameters,
  kind: 'edit',
  actsOn: 'host',
  describe: (params) => `Apply the changes to the project: ${params.summary}`,
  async execute(_params, context) {
    const changes = await context.session.changes()
    if (changes.changes.length === 0)
      return {forModel: 'Nothing has changed in /workspace; nothing to apply.', forUser: 'no changes'}
    const report = await context.session.apply(changes)
    const refused = report.refused.map((entry) => `${entry.path} (${entry.reason})`)
    const applied = `Applied ${report.applied.length} file(s) to the project: ${report.applied.join(', ') || 'none'}.`
    return {
      forModel: refused.length > 0 ? `${applied} Refused: ${refused.join('; ')}.` : applied,
      forUser:
        refused.length > 0
          ? `applied ${report.applied.length}, refused ${refused.length}`
          : `applied ${report.applied.length}`,
      ...(refused.length > 0 && report.applied.length === 0
        ? {error: {kind: 'refused' as const, message: `refused: ${refused.join('; ')}`}}
        : {}),
    }
  },
}
