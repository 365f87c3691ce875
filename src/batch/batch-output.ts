// The --out directory of `agent batch`: one folder per task and results.jsonl; a task with a result.json is done.
import fs from 'node:fs/promises'
import path from 'node:path'

import {UserInputError} from '../errors.js'
import {isProcessAlive} from '../sandbox/inventory/owner-status.js'

/** One line of results.jsonl (and the `summary` of a task's result.json). */
export interface TaskRecord {
  id: string
  status: 'success' | 'max_turns' | 'failed'
  turns: number
  tokens: {input: number; output: number}
  duration_ms: number
  files_changed: number
  /** Sessions tried (more than 1 after a retry). */
  attempts: number
  /** Where the last attempt ran (the Swarm node), when the engine says. */
  node?: string
  /** Why the task failed, and why earlier attempts were retried. */
  error?: string
  retried?: string[]
  /** Changed paths the patch leaves out (the apply policy refuses them). */
  left_out?: string[]
  ended_at: string
}

export const FILES = {
  transcript: 'transcript.jsonl',
  patch: 'changes.patch',
  result: 'result.json',
  results: 'results.jsonl',
  lock: '.agent-batch.lock',
} as const

export class BatchOutput {
  private constructor(readonly dir: string) {}

  /** Creates the directory, takes its lock (one batch per directory), and appends lines a crash left out. */
  static async open(dir: string): Promise<BatchOutput> {
    const out = new BatchOutput(path.resolve(dir))
    await fs.mkdir(out.dir, {recursive: true}).catch((error: NodeJS.ErrnoException) => {
      throw new UserInputError(`Cannot create the output directory ${out.dir} (${error.code})`, {hint: 'Check --out'})
    })
    await out.lock()
    await out.repair()
    return out
  }

  taskDir(id: string): string {
    return path.join(this.dir, id)
  }

  /** Task ids already done (their result.json is written), with their record. */
  async done(): Promise<Map<string, TaskRecord>> {
    const done = new Map<string, TaskRecord>()
    const entries = await fs.readdir(this.dir, {withFileTypes: true})
    for (const entry of entries) {
      if (!entry.isDirectory()) continue
      const record = await this.readRecord(entry.name)
      if (record) done.set(entry.name, record)
    }
    return done
  }

  /** An empty folder for a task about to run (whatever an interrupted attempt left there goes). */
  async startTask(id: string): Promise<string> {
    const dir = this.taskDir(id)
    await fs.rm(dir, {recursive: true, force: true})
    await fs.mkdir(dir, {recursive: true})
    return dir
  }

  /** Marks a task done: its result.json (written whole, then renamed) and then its line in results.jsonl. */
  async finishTask(record: TaskRecord, result: unknown): Promise<void> {
    const file = path.join(this.taskDir(record.id), FILES.result)
    await fs.writeFile(`${file}.tmp`, `${JSON.stringify({summary: record, result}, null, 2)}\n`)
    await fs.rename(`${file}.tmp`, file)
    await fs.appendFile(path.join(this.dir, FILES.results), `${JSON.stringify(record)}\n`)
  }

  async close(): Promise<void> {
    await fs.rm(path.join(this.dir, FILES.lock), {force: true})
  }

  private async readRecord(id: string): Promise<TaskRecord | undefined> {
    try {
      const parsed = JSON.parse(await fs.readFile(path.join(this.taskDir(id), FILES.result), 'utf8')) as {
        summary?: TaskRecord
      }
      return parsed.summary?.id === id ? parsed.summary : undefined
    } catch {
      return undefined
    }
  }

  /** A crash between result.json and its results.jsonl line: add the line now, so each done task has one. */
  private async repair(): Promise<void> {
    const file = path.join(this.dir, FILES.results)
    const text = await fs.readFile(file, 'utf8').catch(() => '')
    const listed = new Set<string>()
    for (const line of text.split('\n')) {
      try {
        listed.add((JSON.parse(line) as TaskRecord).id)
      } catch {
        // a line cut by a crash: left as it is
      }
    }
    const missing = [...(await this.done()).values()].filter((record) => !listed.has(record.id))
    if (text !== '' && !text.endsWith('\n') && missing.length > 0) await fs.appendFile(file, '\n')
    for (const record of missing) await fs.appendFile(file, `${JSON.stringify(record)}\n`)
  }

  private async lock(): Promise<void> {
    const file = path.join(this.dir, FILES.lock)
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(file, String(process.pid), {flag: 'wx'})
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const pid = Number(await fs.readFile(file, 'utf8').catch(() => ''))
        if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid))
          throw new UserInputError(`Another agent batch (pid ${pid}) is writing to ${this.dir}`, {
            hint: 'Wait for it to end, or give another --out',
          })
        await fs.rm(file, {force: true})
      }
    }
  }
}
