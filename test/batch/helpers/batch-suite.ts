// What the batch tests share: a scripted model that answers each task by its id, temporary projects, and the CLI.
import {execFile, spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {cliEnv, CLI} from '../../e2e/helpers/run-cli.js'
import {
  startScriptedModel,
  type ChatRequestBody,
  type ScriptStep,
  type ScriptedModelServer,
} from '../../fixtures/scripted-model/index.js'

export const exec = promisify(execFile)

/** What a task does: one shell command, then a final answer naming it. */
export type TaskScript = (id: string) => {command: string}

/** The task id of a request: every prompt starts with `TASK <id>:`. */
export function taskOf(body: ChatRequestBody): string {
  const user = body.messages.find((message) => message.role === 'user')
  return /^TASK (\S+):/.exec(String(user?.content ?? ''))?.[1] ?? 'unknown'
}

export class BatchSuite {
  server!: ScriptedModelServer
  home!: string
  private readonly dirs: string[] = []
  /** What each task runs; tests change it between runs. */
  script: TaskScript = (id) => ({command: `echo ${id} > out-${id}.txt`})
  /** How long the model takes to start each answer (so requests of tasks running side by side overlap). */
  answerDelayMs = 0
  /** A fault for a request instead of its answer (e.g. one 429). */
  fault: ((body: ChatRequestBody, index: number) => ScriptStep | undefined) | undefined

  async start(): Promise<void> {
    if (!fs.existsSync(path.join(path.dirname(CLI), '..', 'dist', 'commands', 'batch.js')))
      throw new Error('Build the CLI first: npm run build')
    this.server = await startScriptedModel({steps: [(body, index) => this.answer(body, index)], loop: true})
    this.home = this.tempDir('batch-home-')
  }

  async stop(): Promise<void> {
    await this.server?.close()
    for (const dir of this.dirs) fs.rmSync(dir, {recursive: true, force: true})
  }

  private answer(body: ChatRequestBody, index: number): ScriptStep {
    const fault = this.fault?.(body, index)
    if (fault) return fault
    const id = taskOf(body)
    const delay = this.answerDelayMs > 0 ? {delayMs: this.answerDelayMs} : {}
    if (!body.messages.some((message) => message.role === 'tool'))
      return {
        ...delay,
        toolCalls: [
          {
            id: `call-${id}`,
            name: 'run_shell_command',
            arguments: {command: this.script(id).command, is_background: false},
          },
        ],
      }
    return {...delay, text: `done ${id}`}
  }

  tempDir(prefix: string): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
    this.dirs.push(dir)
    return dir
  }

  project(files: Record<string, string | Buffer>): string {
    const dir = this.tempDir('batch-project-')
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), {recursive: true})
      fs.writeFileSync(path.join(dir, name), content)
    }
    return dir
  }

  /** A git repository with one commit, for `repo` tasks (a file:// URL is cloned like any other). */
  async repo(files: Record<string, string>): Promise<string> {
    const dir = this.project(files)
    const git = (...args: string[]) => exec('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args])
    await git('init', '-q')
    await git('add', '-A')
    await git('commit', '-qm', 'initial')
    return dir
  }

  /** Writes a tasks file: one line per task. */
  tasksFile(tasks: Record<string, unknown>[]): string {
    const file = path.join(this.tempDir('batch-tasks-'), 'tasks.jsonl')
    fs.writeFileSync(file, tasks.map((task) => JSON.stringify(task)).join('\n') + '\n')
    return file
  }

  env(extra: Record<string, string> = {}): Record<string, string | undefined> {
    return cliEnv(this.home, this.server.url, extra)
  }

  /** Starts `agent batch` without waiting, so a test can signal it. */
  spawnBatch(args: string[], extraEnv: Record<string, string> = {}): SpawnedBatch {
    const child = spawn(process.execPath, [CLI, 'batch', ...args], {
      cwd: this.home,
      env: this.env(extraEnv) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 280_000)
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve(code)
      }),
    )
    return {stdout: () => stdout, stderr: () => stderr, exited, kill: (signal) => child.kill(signal)}
  }

  async batch(args: string[], extraEnv: Record<string, string> = {}): Promise<{code: number | null; stderr: string}> {
    const run = this.spawnBatch(args, extraEnv)
    const code = await run.exited
    return {code, stderr: run.stderr()}
  }
}

export interface SpawnedBatch {
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
  kill(signal: NodeJS.Signals): void
}

/** The lines of DIR/results.jsonl. */
export function results(
  out: string,
): {id: string; status: string; attempts: number; node?: string; files_changed: number; retried?: string[]}[] {
  const file = path.join(out, 'results.jsonl')
  if (!fs.existsSync(file)) return []
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as never)
}

/** Ids of every container (running or not) of this tool whose workspace is under `prefix`. */
export async function containersUnder(prefix: string, host?: string): Promise<string[]> {
  const {stdout} = await exec('docker', [
    ...(host ? ['-H', host] : []),
    'ps',
    '-a',
    '--filter',
    'label=dev.sandbox-agent.managed=true',
    '--format',
    '{{.ID}} {{.Label "dev.sandbox-agent.workspace"}}',
  ])
  return stdout
    .split('\n')
    .filter((line) => line.split(' ')[1]?.startsWith(prefix))
    .map((line) => line.split(' ')[0]!)
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
