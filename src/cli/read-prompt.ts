// The task for `agent run`: the argument, -p, --prompt-file, or stdin when it is piped.
import fs from 'node:fs/promises'

import {UserInputError} from '../errors.js'
import {fileProblem} from '../file-problem.js'

/** The prompt from the argument, -p, --prompt-file, or stdin when it is piped; empty is a user error. */
export async function readPrompt(
  arg: string | undefined,
  flag: string | undefined,
  file: string | undefined,
): Promise<string> {
  if (arg !== undefined && flag !== undefined) {
    throw new UserInputError('Give the prompt once: as the argument or with -p/--prompt, not both')
  }
  let prompt = arg ?? flag
  if (prompt === undefined && file !== undefined) {
    try {
      prompt = await fs.readFile(file, 'utf8')
    } catch (error) {
      throw new UserInputError(`Cannot read --prompt-file ${file}: ${fileProblem(error)}`, {
        hint: 'Check the path, or pass the task with -p',
      })
    }
  }
  if (prompt === undefined && process.stdin.isTTY !== true) prompt = await readStdin()
  if (prompt === undefined || prompt.trim() === '') {
    throw new UserInputError('No prompt given', {
      hint: 'Pass the task as an argument, with -p, with --prompt-file, or on stdin',
    })
  }
  return prompt.trim()
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = []
  for await (const part of process.stdin) parts.push(part as Buffer)
  return Buffer.concat(parts).toString('utf8')
}
