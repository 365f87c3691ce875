// The Approvals seam's prompter in ACP mode: session/request_permission, with the diff when changes would be applied.
import type {PermissionOption, ToolCallContent} from '@agentclientprotocol/sdk'

import type {ApprovalAnswer, ApprovalPrompter, ApprovalRequest} from '../../agent/approvals.js'

export interface PermissionAsker {
  requestPermission(params: {
    toolCall: {
      toolCallId: string
      title: string
      kind: ApprovalRequest['kind']
      rawInput: unknown
      content?: ToolCallContent[]
    }
    options: PermissionOption[]
  }): Promise<{outcome: {outcome: 'cancelled'} | {outcome: 'selected'; optionId: string}}>
}

export interface AcpPrompterOptions {
  client: PermissionAsker
  /** Extra content shown with the request (the diff for apply_changes). */
  contentFor(request: ApprovalRequest): Promise<ToolCallContent[]>
}

const ALLOW_ONCE: PermissionOption = {optionId: 'allow_once', name: 'Allow', kind: 'allow_once'}
const ALLOW_ALWAYS: PermissionOption = {optionId: 'allow_always', name: 'Always allow', kind: 'allow_always'}
const REJECT: PermissionOption = {optionId: 'reject_once', name: 'Reject', kind: 'reject_once'}

export function createAcpPrompter({client, contentFor}: AcpPrompterOptions): ApprovalPrompter {
  return {
    async ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
      const content = await contentFor(request)
      // A tool acting on the host is asked about every time: no "always".
      const options = request.actsOn === 'host' ? [ALLOW_ONCE, REJECT] : [ALLOW_ONCE, ALLOW_ALWAYS, REJECT]
      const answer = await client.requestPermission({
        toolCall: {
          toolCallId: request.toolCallId,
          title: request.description,
          kind: request.kind,
          rawInput: request.input,
          ...(content.length > 0 ? {content} : {}),
        },
        options,
      })
      signal.throwIfAborted()
      if (answer.outcome.outcome === 'cancelled') return {outcome: 'deny', reason: 'the request was cancelled'}
      if (answer.outcome.optionId === 'allow_once') return {outcome: 'allow_once'}
      if (answer.outcome.optionId === 'allow_always') return {outcome: 'allow_always_prefix'}
      return {outcome: 'deny'}
    },
  }
}
