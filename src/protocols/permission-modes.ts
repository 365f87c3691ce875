// The approval-mode names other clients use (Qwen Code, the Claude Agent SDK, ACP) mapped onto ours.
import type {ApprovalMode} from '../agent/approvals.js'

export interface MappedMode {
  mode: ApprovalMode
  /** Set when the name was not ours: what it became, to report once. */
  notice?: string
}

const EXACT: Readonly<Record<string, ApprovalMode>> = {
  default: 'default',
  'auto-edit': 'auto-edit',
  yolo: 'yolo',
  // Claude Agent SDK names.
  acceptEdits: 'auto-edit',
  bypassPermissions: 'yolo',
}

/** Every name a client may send; anything else is a user error where the flag is parsed. */
export const KNOWN_PERMISSION_MODES = [...Object.keys(EXACT), 'plan', 'auto', 'dontAsk'] as const

/**
 * Ours and Claude's names map exactly. Modes we do not have run as `default` (asking before commands and edits) and
 * say so: `plan` (read-only planning), `auto` (Qwen's classifier), `dontAsk` (Claude's deny-unless-allowed).
 */
export function mapPermissionMode(name: string): MappedMode {
  const exact = EXACT[name]
  if (exact) return {mode: exact}
  return {mode: 'default', notice: `permission mode "${name}" is not supported; running as "default"`}
}
