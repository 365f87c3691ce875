// The text of a shell call's result, field by field in the spec's order, and how its termination reads.
import os from 'node:os'

import type {ExecResult} from '../../sandbox/types.js'
import type {ToolErrorKind} from '../types.js'

export interface ShellResultFields {
  command: string
  /** `(root)` for the project root, else the path relative to it. */
  directory: string
  stdout: string
  stderr: string
  error: string | undefined
  exitCode: number | null
  signal: string | null
  backgroundPids: readonly number[]
  /** Where the background processes' output goes (in the sandbox), so the model can read it later. */
  outputFile?: string | undefined
}

function field(text: string): string {
  const trimmed = text.replace(/\n+$/, '')
  return trimmed === '' ? '(empty)' : trimmed
}

/** `9 (SIGKILL)`: the number the spec asks for, with the name for people. */
export function formatSignal(signal: string | null): string {
  if (!signal) return '(none)'
  const number = (os.constants.signals as Record<string, number | undefined>)[signal]
  return number === undefined ? signal : `${number} (${signal})`
}

/**
 * Command, Directory, Stdout, Stderr, Error, Exit Code, Signal, Background PIDs: each on its own line, in order; then,
 * when processes run on in the background, the file their output goes to (as Qwen Code's `output file:`).
 */
export function formatShellResult(fields: ShellResultFields): string {
  const background = fields.backgroundPids.length > 0 && fields.outputFile !== undefined
  return [
    `Command: ${fields.command}`,
    `Directory: ${fields.directory}`,
    `Stdout: ${field(fields.stdout)}`,
    `Stderr: ${field(fields.stderr)}`,
    `Error: ${fields.error ?? '(none)'}`,
    `Exit Code: ${fields.exitCode ?? '(none)'}`,
    `Signal: ${formatSignal(fields.signal)}`,
    `Background PIDs: ${fields.backgroundPids.length > 0 ? fields.backgroundPids.join(', ') : '(none)'}`,
    ...(background ? [`Output File: ${fields.outputFile} (their stdout and stderr; read it with cat or tail)`] : []),
  ].join('\n')
}

/** Why a command ended other than by exiting, first reason first (as the session reports it), or undefined. */
export function terminationProblem(
  result: ExecResult,
  timeoutMs: number,
): {kind: ToolErrorKind; message: string} | undefined {
  if (result.canceled) return {kind: 'canceled', message: 'Command was cancelled by user'}
  if (result.timedOut) return {kind: 'timed_out', message: `Command timed out after ${timeoutMs} ms`}
  if (result.oomKilled) {
    return {
      kind: 'execution_failed',
      message:
        'Command was killed because the sandbox ran out of memory (raise sandbox.memory in settings, or use less)',
    }
  }
  if (result.containerGone) {
    return {
      kind: 'execution_failed',
      message: 'The sandbox container went away while the command ran (stopped, killed, or Docker became unreachable)',
    }
  }
  if (result.error) return {kind: 'execution_failed', message: result.error}
  return undefined
}
