// Questions asked on a terminal (on stderr, answers from stdin): tool approval and what to do with the changes.
import readline from 'node:readline/promises'

import type {ApprovalAnswer, ApprovalPrompter, ApprovalRequest} from '../agent/approvals.js'
import type {ChangesDecision} from '../session-end/finish-session.js'
import {safeLine} from './sanitize.js'

export interface TtyIO {
  input: NodeJS.ReadableStream
  output: NodeJS.WritableStream
}

async function question(io: TtyIO, text: string, signal?: AbortSignal): Promise<string> {
  const rl = readline.createInterface({input: io.input, output: io.output, terminal: true})
  try {
    return (await rl.question(text, signal ? {signal} : {})).trim().toLowerCase()
  } finally {
    rl.close()
  }
}

/** Asks before a tool call: y = once, a = always (this command prefix or tool), n = deny (optionally with a reason). */
export function createTtyApprovalPrompter(io: TtyIO): ApprovalPrompter {
  return {
    async ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
      const what =
        request.command !== undefined
          ? `run \`${safeLine(request.command)}\``
          : `use ${safeLine(request.toolName)} (${safeLine(request.description)})`
      const where = request.actsOn === 'host' ? ' ON THE HOST' : ' in the sandbox'
      for (;;) {
        const answer = await question(
          io,
          `Allow the agent to ${what}${where}? [y] once  [a] always for ${safeLine(request.alwaysScope)}  [n] no: `,
          signal,
        )
        if (answer === 'y' || answer === 'yes') return {outcome: 'allow_once'}
        if (answer === 'a' || answer === 'always') return {outcome: 'allow_always_prefix'}
        if (answer === 'n' || answer === 'no' || answer === '') {
          const reason = await question(io, 'Tell the agent why (optional): ', signal)
          return reason ? {outcome: 'deny', reason} : {outcome: 'deny'}
        }
      }
    },
  }
}

export type {ChangesDecision} from '../session-end/finish-session.js'

/** After a run with changes: apply them to the project, keep the sandbox for later, or throw them away. */
export async function askChangesDecision(io: TtyIO, count: number, signal?: AbortSignal): Promise<ChangesDecision> {
  for (;;) {
    const answer = await question(
      io,
      `${count} file${count === 1 ? '' : 's'} changed in the sandbox. [a] apply to the project  [k] keep the sandbox for later  [d] discard: `,
      signal,
    )
    if (answer === 'a' || answer === 'apply') return 'apply'
    if (answer === 'k' || answer === 'keep' || answer === '') return 'keep'
    if (answer === 'd' || answer === 'discard') return 'discard'
  }
}

/**
 * The second confirmation before sensitive changes reach the project: lists them (as the summary shows them) and
 * asks; anything but yes keeps them in the sandbox.
 */
export async function askSensitiveConfirmation(io: TtyIO, lines: string[], signal?: AbortSignal): Promise<boolean> {
  io.output.write(
    `${lines.length} change${lines.length === 1 ? ' is' : 's are'} sensitive: tools on the host run or load ${lines.length === 1 ? 'it' : 'them'} on their own.\n${lines.map((line) => `  ${line}\n`).join('')}`,
  )
  const answer = await question(io, 'Apply these too? [y] yes  [N] no, keep them in the sandbox: ', signal)
  return answer === 'y' || answer === 'yes'
}
