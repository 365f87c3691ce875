// Whether a tool call may run: the approval mode, what the tool acts on, and (on a TTY) the user's answer.
import {UserInputError} from '../errors.js'
import type {ToolActsOn, ToolErrorKind, ToolKind} from '../tools/types.js'

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
}

export type ApprovalOutcome = 'allow_once' | 'allow_always_prefix' | 'deny'

export interface ApprovalAnswer {
  outcome: ApprovalOutcome
  /** Why the user denied (passed on to the model). */
  reason?: string
}

/** Asks a person; the TTY UI implements it, tests fake it. */
export interface ApprovalPrompter {
  ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer>
}

export type ApprovalVerdict =
  | {allowed: true; asked: boolean}
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
 * - `yolo` runs everything.
 * - Non-interactive: tools that act only inside the sandbox run without asking (the host changes only with --apply);
 *   a tool acting on the host is refused.
 * - Interactive: host tools are always asked about; shell commands are asked about unless an "always" prefix covers
 *   every part of the command; edits are asked about in `default` and allowed in `auto-edit`; reads and searches run.
 */
export function createApprovals({mode: initialMode, prompter}: ApprovalsOptions): SwitchableApprovals {
  let mode = initialMode
  const allowedPrefixes = new Set<string>()
  const allowedTools = new Set<string>()

  function needsAsking(request: ApprovalRequest): boolean {
    if (mode === 'yolo' || !prompter) return false
    if (request.actsOn === 'host') return !allowedTools.has(request.toolName)
    if (request.command !== undefined) {
      const parts = splitCommandChain(request.command)
      return (
        parts.length === 0 || !parts.every((part) => [...allowedPrefixes].some((prefix) => matchesPrefix(part, prefix)))
      )
    }
    if (request.kind === 'edit' || request.kind === 'delete' || request.kind === 'move') {
      return mode === 'default' && !allowedTools.has(request.toolName)
    }
    if (request.kind === 'execute') return !allowedTools.has(request.toolName)
    return false
  }

  async function decide(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalVerdict> {
    if (mode === 'yolo') return {allowed: true, asked: false}
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
        for (const part of splitCommandChain(request.command)) allowedPrefixes.add(commandPrefix(part))
      } else {
        allowedTools.add(request.toolName)
      }
    }
    return {allowed: true, asked: true}
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

/** Programs whose second word picks the real action (`git push` vs `git status`), so "always" remembers two words. */
const TWO_WORD_PROGRAMS = new Set([
  'git',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'cargo',
  'go',
  'docker',
  'kubectl',
  'pip',
  'pip3',
  'poetry',
  'uv',
  'make',
  'dotnet',
  'gradle',
  'mvn',
])

/** The prefix "always allow" remembers for one command: its first word, or two for programs like git and npm. */
export function commandPrefix(command: string): string {
  const words = command.trim().split(/\s+/).filter(Boolean)
  const first = words[0] ?? ''
  const second = words[1]
  if (TWO_WORD_PROGRAMS.has(first) && second !== undefined && !second.startsWith('-')) return `${first} ${second}`
  return first
}

/** The prefix for a whole command line: the parts' prefixes joined, for display. */
export function commandLinePrefix(command: string): string {
  return [...new Set(splitCommandChain(command).map(commandPrefix))].join(', ')
}

/** Splits on &&, ||, ;, | and newlines (outside quotes); each part is judged on its own. */
export function splitCommandChain(command: string): string[] {
  const parts: string[] = []
  let current = ''
  let quote: '"' | "'" | undefined
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string
    if (quote) {
      if (ch === '\\' && quote === '"' && i + 1 < command.length) {
        current += ch + command[++i]
        continue
      }
      if (ch === quote) quote = undefined
      current += ch
      continue
    }
    if (ch === '"' || ch === "'") {
      quote = ch
      current += ch
      continue
    }
    if (ch === '\\' && i + 1 < command.length) {
      current += ch + command[++i]
      continue
    }
    const two = command.slice(i, i + 2)
    if (two === '&&' || two === '||') {
      parts.push(current)
      current = ''
      i++
      continue
    }
    if (ch === ';' || ch === '|' || ch === '\n' || ch === '&') {
      parts.push(current)
      current = ''
      continue
    }
    current += ch
  }
  parts.push(current)
  return parts.map((part) => part.trim()).filter(Boolean)
}

/** Whole-word prefix match: `git` matches `git status` but not `gitk`. */
export function matchesPrefix(command: string, prefix: string): boolean {
  const words = command.trim().split(/\s+/)
  const want = prefix.trim().split(/\s+/)
  return want.length > 0 && want.every((word, i) => words[i] === word)
}
