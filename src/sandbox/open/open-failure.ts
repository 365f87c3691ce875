// What a failed open reports: cancellation, an unreadable project file, an unknown runtime, else a Docker failure.
import type {SandboxSettings} from '../../config/schema.js'
import {AgentError, ExitCode} from '../../errors.js'
import {dockerFailure} from '../docker-connection.js'
import {unknownRuntimeError} from '../lifecycle/container-spec.js'
import {hostFileError} from './host-workspace.js'

function canceled(): AgentError {
  return new AgentError('Canceled while starting the sandbox', {exitCode: ExitCode.interrupted})
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw canceled()
}

/** The one error an open that failed at any step throws. */
export function openFailure(
  error: unknown,
  context: {signal: AbortSignal | undefined; hostWorkspace: string; settings: SandboxSettings},
): AgentError {
  if (error instanceof AgentError) return error
  if (context.signal?.aborted) return canceled()
  return (
    hostFileError(error, context.hostWorkspace) ??
    unknownRuntimeError(error, context.settings.runtime) ??
    dockerFailure(error, 'start the sandbox')
  )
}
