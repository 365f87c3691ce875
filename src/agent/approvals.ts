// Whether a tool call may run: the approval mode, what the tool acts on, and (on a TTY) the user's answer.
import {UserInputError} from '../errors.js'
import type {ToolActsOn, ToolErrorKind, ToolKind} from '../tools/types.js'
import {coveredByPrefixes, shellAlwaysPrefixes} from './shell-approval.js'

export const APPROVAL_MODES = ['default', 'auto-edit', 'yolo'] as const
export type ApprovalMode = (typeof APPROVAL_MODES)[number]

export function parseApprovalMode(value: string): ApprovalMode {
  if ((APPROVAL_MODES as readonly string[]).includes(value)) return value as ApprovalMode
  throw new UserInputError(`Unknown approval mode "${value}"`, {hint: `Use one of: ${APPROVAL_MODES.join(', ')}`})
}

/** What a prompter is asked about. */
export interface ApprovalRequest {
  toolCallId: string
  toolName: string
  kind: ToolKind
  actsOn: ToolActsOn
  /** The one-line description shown to the user (e.g. the command). */
  description: string
  input: unknown
  /** For shell commands: the command text. */
  command?: string
  /** What "always" would remember: a command prefix such as `git status`, or the tool name. */
  alwaysScope: string
  /** The tool's source is trusted by the user (an MCP server with `trust: true`): never asked, never refused. */
  trusted?: boolean
}

export type ApprovalOutcome = 'allow_once' | 'allow_always_prefix' | 'deny'

export interface ApprovalAnswer {
  outcome: ApprovalOutcome
  /** Why the user denied (passed on to the model). */
  reason?: string
  /** Allowed with changed arguments (an SDK's canUseTool may rewrite them); validated again before the tool runs. */
  updatedInput?: unknown
}

/** Asks a person; the TTY UI implements it, tests fake it. */
export interface ApprovalPrompter {
  ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer>
}

export type ApprovalVerdict =
  | {allowed: true; asked: boolean; updatedInput?: unknown}
  | {allowed: false; asked: boolean; kind: Extract<ToolErrorKind, 'refused' | 'denied_by_user'>; message: string}

export interface Approvals {
  readonly mode: ApprovalMode
  /** True when `decide` would ask the prompter (so the loop can announce it first). */
  needsAsking(request: ApprovalRequest): boolean
  decide(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalVerdict>
}

/** Approvals whose mode can change during a session (interactive mode: Shift+Tab, /approval-mode). */
export interface SwitchableApprovals extends Approvals {
  setMode(mode: ApprovalMode): void
}

export interface ApprovalsOptions {
  mode: ApprovalMode
  /** Absent in a non-interactive run (no TTY, CI, piped output). */
  prompter?: ApprovalPrompter
}

/**
 * The rules, in order:
 * - `yolo` runs everything, and so does a tool whose source the user trusts (`trusted`: an MCP server's `trust`).
 * - Non-interactive: tools that act only inside the sandbox run without asking (the host changes only with --apply);
 *   a tool acting on the host is refused.
 * - Interactive: host tools are always asked about; shell commands are asked about unless an "always" prefix covers
 *   every part of the command as the shell parser reads it, and nothing in it escapes that reading
 *   (`shell-approval.ts`); edits are asked about in `default` and allowed in `auto-edit`; MCP tools (kind `mcp`) are asked about like
 *   commands; reads and searches run.
 */
export function createApprovals({mode: initialMode, prompter}: ApprovalsOptions): SwitchableApprovals {
  let mode = initialMode
  const allowedPrefixes = new Set<string>()
  const allowedTools = new Set<string>()

  function needsAsking(request: ApprovalRequest): boolean {
    if (mode === 'yolo' || !prompter || request.trusted) return false
    if (request.actsOn === 'host') return !allowedTools.has(request.toolName)
    if (request.command !== undefined) return !coveredByPrefixes(request.command, allowedPrefixes)
    if (request.kind === 'edit' || request.kind === 'delete' || request.kind === 'move') {
      return mode === 'default' && !allowedTools.has(request.toolName)
    }
    if (request.kind === 'execute' || request.kind === 'mcp') return !allowedTools.has(request.toolName)
    return false
  }

  async function decide(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalVerdict> {
    if (mode === 'yolo' || request.trusted) return {allowed: true, asked: false}
    if (!prompter) {
      if (request.actsOn === 'sandbox') return {allowed: true, asked: false}
      return {
        allowed: false,
        asked: false,
        kind: 'refused',
        message: `Tool "${request.toolName}" acts on the host, which a non-interactive run does not allow; the user can allow it with --approval-mode yolo.`,
      }
    }
    if (!needsAsking(request)) return {allowed: true, asked: false}
    const answer = await prompter.ask(request, signal)
    if (answer.outcome === 'deny') {
      const why = answer.reason ? ` Reason: ${answer.reason}` : ''
      return {allowed: false, asked: true, kind: 'denied_by_user', message: `The user denied this tool call.${why}`}
    }
    if (answer.outcome === 'allow_always_prefix') {
      if (request.command !== undefined && request.actsOn === 'sandbox') {
        for (const prefix of shellAlwaysPrefixes(request.command)) allowedPrefixes.add(prefix)
      } else {
        allowedTools.add(request.toolName)
      }
    }
    return {
      allowed: true,
      asked: true,
      ...(answer.updatedInput !== undefined ? {updatedInput: answer.updatedInput} : {}),
    }
  }

  return {
    get mode() {
      return mode
    },
    setMode(next: ApprovalMode) {
      mode = next
    },
    needsAsking,
    decide,
  }
}
