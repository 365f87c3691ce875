// Applying a change set at the end of a run or chat: the policy's second confirmation asked (or not) in one place.
import {needsSecondConfirmation} from '../sandbox/changes/apply-policy.js'
import {changeLine} from '../sandbox/changes/render-changes.js'
import type {ApplyReport, ChangeSet, SandboxSession} from '../sandbox/types.js'

export interface ApplyWithPolicyInput {
  session: Pick<SandboxSession, 'apply'>
  changes: ChangeSet
  /** The second confirmation given up front (--apply-sensitive). */
  allowSensitive: boolean
  /** Asks the person at the terminal, given the summary lines of the sensitive changes; absent: nobody to ask. */
  ask?: (lines: string[]) => Promise<boolean>
}

/** Applies the changes; sensitive ones (and new writable bits) only with --apply-sensitive or a yes to the list. */
export async function applyWithPolicy(input: ApplyWithPolicyInput): Promise<ApplyReport> {
  let allowSensitive = input.allowSensitive
  const sensitive = needsSecondConfirmation(input.changes)
  if (!allowSensitive && sensitive.length > 0 && input.ask) allowSensitive = await input.ask(sensitive.map(changeLine))
  return input.session.apply(input.changes, {allowSensitive})
}

/** The one line saying what to do about held-back changes of a kept session. */
export function heldBackHint(sessionId: string): string {
  return (
    `Sensitive changes were held back; the sandbox is kept: review with \`agent diff ${sessionId}\`, then ` +
    `\`agent apply ${sessionId} --apply-sensitive\` or \`agent discard ${sessionId}\`.\n`
  )
}
