// The text of a shell call's result, field by field in the spec's order, and how its termination reads.
import crypto from 'node:crypto'
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

/** The result's field names, in the spec's order. */
export const SHELL_RESULT_FIELDS = [
  'Command',
  'Directory',
  'Stdout',
  'Stderr',
  'Error',
  'Exit Code',
  'Signal',
  'Background PIDs',
  'Output File',
] as const

/** A line, after the first, that starts the way a field line does: output imitating the result's own fields. */
const FIELD_LIKE = new RegExp(`\\n\\s*(?:${SHELL_RESULT_FIELDS.join('|')})\\s*:`, 'i')
/** A line that opens or closes a fence, which the output must not be able to fake either. */
const FENCE_LIKE = /\n\s*(?:<<<output|output [0-9a-f]+>>>)/i

/**
 * A field's value. Output that holds a line looking like a field (`Exit Code: 0` printed by the command) or like a
 * fence is put between `<<<output <tag>` and `output <tag>>>` lines, the tag random per value: the command ran before
 * the tag existed, so it cannot close the fence, and every line outside a fence is the result's own.
 */
function field(text: string, newTag: () => string): string {
  const trimmed = text.replace(/\n+$/, '')
  if (trimmed === '') return '(empty)'
  if (!FIELD_LIKE.test(trimmed) && !FENCE_LIKE.test(trimmed)) return trimmed
  let tag = newTag()
  while (trimmed.includes(tag)) tag = newTag()
  return `<<<output ${tag}\n${trimmed}\noutput ${tag}>>>`
}

const randomTag = () => crypto.randomBytes(6).toString('hex')

/** `9 (SIGKILL)`: the number the spec asks for, with the name for people. */
export function formatSignal(signal: string | null): string {
  if (!signal) return '(none)'
  const number = (os.constants.signals as Record<string, number | undefined>)[signal]
  return number === undefined ? signal : `${number} (${signal})`
}

/**
 * Command, Directory, Stdout, Stderr, Error, Exit Code, Signal, Background PIDs: each on its own line, in order; then,
 * when processes run on in the background, the file their output goes to (as Qwen Code's `output file:`). A value that
 * imitates the fields is fenced (see `field`). `newTag` is for tests.
 */
export function formatShellResult(fields: ShellResultFields, newTag: () => string = randomTag): string {
  const background = fields.backgroundPids.length > 0 && fields.outputFile !== undefined
  return [
    `Command: ${field(fields.command, newTag)}`,
    `Directory: ${fields.directory}`,
    `Stdout: ${field(fields.stdout, newTag)}`,
    `Stderr: ${field(fields.stderr, newTag)}`,
    `Error: ${fields.error === undefined ? '(none)' : field(fields.error, newTag)}`,
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
