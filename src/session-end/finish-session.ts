// The end of a run or a chat: read the changes, decide apply / keep / discard, carry it out, and keep or let go of
// the sandbox. `agent run` and interactive mode both end through here; each supplies how the decision is asked.
import {AgentError, ExitCode, isAgentError} from '../errors.js'
import type {Logger} from '../logging/logger.js'
import {isDockerConnectionError} from '../sandbox/docker-client.js'
import type {ApplyReport, ChangeSet, SandboxSession} from '../sandbox/types.js'
import {applyWithPolicy} from './apply-with-policy.js'

export type ChangesDecision = 'apply' | 'keep' | 'discard'

export interface FinishSessionOptions {
  session: SandboxSession
  /** Asked only when there are changes. */
  decide(changes: ChangeSet): Promise<ChangesDecision>
  /** Told the changes as soon as they are read (also when there are none). */
  onChanges?(changes: ChangeSet): void
  /** After an apply that refused some entries: keep the sandbox so they can be looked at, or remove it. */
  keepWhenRefused: boolean
  /** The second confirmation given up front (--apply-sensitive): sensitive files and writable bits are applied too. */
  allowSensitive?: boolean
  /**
   * Asks the second confirmation, given the summary lines of the sensitive changes; absent: not asked, they are held
   * back (and the sandbox is kept for them).
   */
  confirmSensitive?(lines: string[]): Promise<boolean>
  logger: Logger
}

export type SessionEnd =
  /** The changes could not be read (the container died, Docker went away): the sandbox is kept, nothing applied. */
  | {outcome: 'unreadable'; error: unknown}
  | {outcome: 'no-changes'; changes: ChangeSet}
  | {outcome: 'applied'; changes: ChangeSet; report: ApplyReport; kept: boolean}
  | {outcome: 'kept'; changes: ChangeSet}
  | {outcome: 'discarded'; changes: ChangeSet}

/** Always leaves the session kept, removed, or (opened with reuse) warm; never open. */
export async function finishSession(options: FinishSessionOptions): Promise<SessionEnd> {
  const {session, logger} = options
  let keep = false
  try {
    let changes: ChangeSet
    try {
      changes = await session.changes()
    } catch (error) {
      // What the agent changed is still in the sandbox's workspace volume.
      logger.warn({err: error, session: session.id}, 'could not read the changes')
      keep = true
      return {outcome: 'unreadable', error}
    }
    options.onChanges?.(changes)
    const unreadable = changes.unreadable?.length ?? 0
    if (changes.changes.length === 0 && unreadable === 0) return {outcome: 'no-changes', changes}
    const decision = await options.decide(changes)
    if (decision === 'apply') {
      const report = await applyWithPolicy({
        session,
        changes,
        allowSensitive: options.allowSensitive ?? false,
        ...(options.confirmSensitive ? {ask: options.confirmSensitive} : {}),
      })
      // Held back, unreadable or over the limit: what was not applied is still in the sandbox, kept for the user.
      keep =
        (options.keepWhenRefused && report.refused.length > 0) ||
        (report.heldBack?.length ?? 0) > 0 ||
        (report.unreadable?.length ?? 0) > 0 ||
        report.overLimit !== undefined
      return {outcome: 'applied', changes, report, kept: keep}
    }
    if (decision === 'discard') return {outcome: 'discarded', changes}
    keep = true
    return {outcome: 'kept', changes}
  } finally {
    // Not kept: removed, or left warm when opened with --reuse (the session knows which).
    if (keep) await keepOrExplain(session)
    else await session[Symbol.asyncDispose]()
  }
}

/**
 * Stops and keeps a session whose changes were not applied. When Docker itself is gone the container cannot even be
 * stopped: the host record stays, and the one error line says how to get the changes once Docker is back.
 */
async function keepOrExplain(session: SandboxSession): Promise<void> {
  try {
    await session.keep()
  } catch (error) {
    const what = isAgentError(error) ? error.message : error instanceof Error ? error.message : String(error)
    const exitCode = isAgentError(error) ? error.exitCode : ExitCode.failure
    const unreachable = isDockerConnectionError((error as {cause?: unknown}).cause)
    throw new AgentError(`${what}; nothing was applied`, {
      hint:
        `The changes of session ${session.id} stay in its sandbox: ${unreachable ? 'once Docker is back, ' : ''}` +
        `review with \`agent diff ${session.id}\``,
      exitCode,
      cause: error,
    })
  }
}
