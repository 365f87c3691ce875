// The TASKS.jsonl of `agent batch`: one task per line ({id, cwd | repo, prompt, overrides}), checked before anything runs.
import fs from 'node:fs/promises'
import path from 'node:path'

import {z} from 'zod'

import {sandboxSettingsSchema} from '../config/schema.js'
import {networkSettingSchema} from '../config/network-setting.js'
import {UserInputError} from '../errors.js'

/** A task id names its output folder: letters, digits, dot, dash and underscore, not starting with a dot. */
const TASK_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/

const taskLineSchema = z.strictObject({
  id: z.string().regex(TASK_ID, 'letters, digits, ".", "-" or "_" (at most 128, not starting with ".")'),
  /** A project directory on this machine (relative to the tasks file). */
  cwd: z.string().min(1).optional(),
  /** A git repository cloned on the host: a local path or any URL git understands. */
  repo: z.string().min(1).optional(),
  /** With repo: the branch or tag to check out. */
  ref: z.string().min(1).optional(),
  prompt: z.string().min(1),
  model: z.string().min(1).optional(),
  maxTurns: z.number().int().min(1).optional(),
  approvalMode: z.enum(['default', 'auto-edit', 'yolo']).optional(),
  network: networkSettingSchema.optional(),
  /** Sandbox limits for this task (memory, cpus, pids, tmpSize, exclude...), as in settings.json's `sandbox`. */
  sandbox: z.record(z.string(), z.unknown()).optional(),
})

export interface BatchTask {
  id: string
  /** 1-based line in the tasks file. */
  line: number
  source: {kind: 'dir'; path: string} | {kind: 'repo'; url: string; ref?: string}
  prompt: string
  overrides: {
    model?: string
    maxTurns?: number
    approvalMode?: 'default' | 'auto-edit' | 'yolo'
    network?: z.output<typeof networkSettingSchema>
    sandbox?: Record<string, unknown>
  }
}

/** Reads and checks the whole file: every bad line is one line of the error, so all can be fixed at once. */
export async function readTaskFile(file: string): Promise<BatchTask[]> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UserInputError(`Cannot read the tasks file ${file} (${code === 'ENOENT' ? 'no such file' : code})`, {
      hint: 'Give a JSONL file with one {"id", "cwd" or "repo", "prompt"} object per line',
    })
  }
  return parseTasks(text, file)
}

export function parseTasks(text: string, file: string): BatchTask[] {
  const base = path.dirname(path.resolve(file))
  const tasks: BatchTask[] = []
  const problems: string[] = []
  const seen = new Map<string, number>()
  text.split('\n').forEach((raw, index) => {
    const line = index + 1
    if (raw.trim() === '' || raw.trimStart().startsWith('//')) return
    const problem = (message: string) => problems.push(`${file}:${line}: ${message}`)
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      return problem('not a JSON object')
    }
    const parsed = taskLineSchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
      return problem(`${where}${issue.message}`)
    }
    const task = parsed.data
    if ((task.cwd === undefined) === (task.repo === undefined)) return problem('give exactly one of "cwd" and "repo"')
    if (task.ref !== undefined && task.repo === undefined) return problem('"ref" goes with "repo"')
    if (task.sandbox) {
      const sandbox = sandboxSettingsSchema.safeParse(task.sandbox)
      if (!sandbox.success) {
        const issue = sandbox.error.issues[0]!
        return problem(`sandbox.${issue.path.join('.')}: ${issue.message}`)
      }
    }
    const earlier = seen.get(task.id)
    if (earlier !== undefined) return problem(`id "${task.id}" is already used on line ${earlier}`)
    seen.set(task.id, line)
    tasks.push({
      id: task.id,
      line,
      source:
        task.cwd !== undefined
          ? {kind: 'dir', path: path.resolve(base, task.cwd)}
          : {kind: 'repo', url: repoUrl(task.repo!, base), ...(task.ref ? {ref: task.ref} : {})},
      prompt: task.prompt,
      overrides: {
        ...(task.model ? {model: task.model} : {}),
        ...(task.maxTurns ? {maxTurns: task.maxTurns} : {}),
        ...(task.approvalMode ? {approvalMode: task.approvalMode} : {}),
        ...(task.network !== undefined ? {network: task.network} : {}),
        ...(task.sandbox ? {sandbox: task.sandbox} : {}),
      },
    })
  })
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('\n  ')
    const more = problems.length > 10 ? `\n  ... and ${problems.length - 10} more` : ''
    throw new UserInputError(`The tasks file has ${problems.length} bad line(s):\n  ${shown}${more}\n`, {
      hint: 'Each line is {"id", "cwd" or "repo", "prompt"} with optional model, maxTurns, approvalMode, network, sandbox',
    })
  }
  if (tasks.length === 0) throw new UserInputError(`The tasks file ${file} has no tasks`)
  return tasks
}

/** A URL (scheme:// or user@host:path) is kept as it is; anything else is a local path, relative to the tasks file. */
function repoUrl(repo: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\s]+@[^/\s]+:/.test(repo)) return repo
  return path.resolve(base, repo)
}
