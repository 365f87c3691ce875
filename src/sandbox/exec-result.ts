// The one way an ExecResult is made: every field defaulted (no exit code, nothing killed, no output), then the facts.
import type {BoundedOutput, ExecResult} from './types.js'

/** A stream that produced nothing. */
export function emptyOutput(): BoundedOutput {
  return {text: '', totalBytes: 0, omittedBytes: 0}
}

/** A result from what is known; fields given as undefined keep their defaults. */
export function execResult(fields: Partial<ExecResult> = {}): ExecResult {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    canceled: false,
    oomKilled: false,
    containerGone: false,
    durationMs: 0,
    stdout: emptyOutput(),
    stderr: emptyOutput(),
    backgroundPids: [],
    ...defined,
  }
}
