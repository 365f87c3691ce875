// The Approvals seam's prompter in SDK mode: asks the SDK's canUseTool through a can_use_tool control request.
import {isDeepStrictEqual} from 'node:util'

import {z} from 'zod'

import type {ApprovalAnswer, ApprovalPrompter, ApprovalRequest} from '../../agent/approvals.js'
import type {ControlChannel} from './control-channel.js'

const decisionSchema = z.union([
  z.looseObject({behavior: z.literal('allow'), updatedInput: z.unknown().optional()}),
  z.looseObject({behavior: z.literal('deny'), message: z.string().optional(), interrupt: z.boolean().optional()}),
])

export interface SdkPrompterOptions {
  channel: ControlChannel
  /** A deny with `interrupt: true` ends the turn as well. */
  onInterrupt(): void
}

export function createSdkPrompter({channel, onInterrupt}: SdkPrompterOptions): ApprovalPrompter {
  return {
    async ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
      let raw: unknown
      try {
        raw = await channel.request(
          'can_use_tool',
          {
            tool_name: request.toolName,
            tool_use_id: request.toolCallId,
            input: request.input,
            description: request.description,
            permission_suggestions: null,
            blocked_path: null,
          },
          signal,
        )
      } catch (error) {
        if (signal.aborted) throw error
        return {outcome: 'deny', reason: `the SDK gave no decision (${(error as Error).message})`}
      }
      const decision = decisionSchema.safeParse(raw)
      if (!decision.success) return {outcome: 'deny', reason: 'the SDK answered can_use_tool with no behavior'}
      if (decision.data.behavior === 'deny') {
        if (decision.data.interrupt) onInterrupt()
        return {outcome: 'deny', ...(decision.data.message ? {reason: decision.data.message} : {})}
      }
      const updated = decision.data.updatedInput
      return updated === undefined || isDeepStrictEqual(updated, request.input)
        ? {outcome: 'allow_once'}
        : {outcome: 'allow_once', updatedInput: updated}
    },
  }
}
