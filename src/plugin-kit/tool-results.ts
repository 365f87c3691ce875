// Small builders for tool results: the text the model reads and the line a person sees, written separately.
import type {ToolErrorKind, ToolResult} from '../tools/types.js'

export function toolSuccess(forModel: string, forUser: string = forModel): ToolResult {
  return {forModel, forUser}
}

/** A task failure as data: the model reads the message and can try again; nothing is thrown. */
export function toolFailure(kind: ToolErrorKind, message: string, forUser: string = message): ToolResult {
  return {forModel: `Error: ${message}`, forUser, error: {kind, message}}
}
