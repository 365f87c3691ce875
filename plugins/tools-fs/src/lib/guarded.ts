// Wraps a tool's execute: a refused path becomes invalid_parameters, anything else thrown becomes a failure result.
import {toolFailure, WorkspacePathError, type ToolContext, type ToolResult} from 'sandboxed-agent/plugin'

import {describeFileError} from './file-errors.js'

export function guarded<P>(
  run: (params: P, context: ToolContext) => Promise<ToolResult>,
): (params: P, context: ToolContext) => Promise<ToolResult> {
  return async (params, context) => {
    try {
      return await run(params, context)
    } catch (error) {
      if (error instanceof WorkspacePathError) return toolFailure('invalid_parameters', error.message)
      if (context.signal.aborted) return toolFailure('canceled', 'canceled')
      const path = (error as {toolPath?: string} | null)?.toolPath
      return toolFailure(
        'execution_failed',
        path ? describeFileError(error, path) : String((error as Error)?.message ?? error),
      )
    }
  }
}
