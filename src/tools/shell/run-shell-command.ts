// The run_shell_command tool per the shell spec: validated parameters, permission rules, then `bash -c` in the sandbox
// with live output, a result in the spec's fields, and output cut for the model with the full text saved in the sandbox.
import {randomUUID} from 'node:crypto'

import {z} from 'zod'

import {
  resolveWorkspacePath,
  WORKSPACE_ROOT,
  WorkspacePathError,
  workspaceRelative,
} from '../../plugin-kit/workspace-path.js'
import type {ExecResult, SandboxSession} from '../../sandbox/types.js'
import type {ToolContext, ToolDefinition, ToolResult} from '../types.js'
import {OutputCapture} from './output-capture.js'
import {endsWithBackgroundOperator} from './shell-parse.js'
import {checkShellCommand, compileShellRules, type ShellPermissionRules} from './shell-permissions.js'
import {formatShellResult, terminationProblem} from './shell-result.js'
import {stripAnsi} from '../../output/sanitize.js'
import {
  cutForModel,
  fits,
  MODEL_OUTPUT_MAX_CHARS,
  MODEL_OUTPUT_MAX_LINES,
  splitBudget,
  type OutputBudget,
} from './truncate-output.js'

export const SHELL_TOOL_NAME = 'run_shell_command'
export const DEFAULT_SHELL_TIMEOUT_MS = 120_000
export const MAX_SHELL_TIMEOUT_MS = 600_000
/** Where full outputs that were cut for the model are saved, inside the sandbox. */
export const SHELL_OUTPUT_DIR = '/tmp/sandbox-agent/output'
/** Most bytes of one stream saved there: a flood of output must not fill the sandbox's /tmp (256 MiB by default). */
export const MAX_SAVED_OUTPUT_BYTES = 64 * 1024 * 1024

function checkDirectory(directory: string, ctx: z.core.$RefinementCtx): void {
  try {
    resolveWorkspacePath(directory)
  } catch (error) {
    if (!(error instanceof WorkspacePathError)) throw error
    ctx.addIssue({
      code: 'custom',
      message: `directory must stay inside the project (${WORKSPACE_ROOT}): ${error.message}`,
    })
  }
}

export const shellParametersSchema = z.object({
  command: z
    .string()
    .refine((command) => command.trim() !== '', 'command is empty')
    .describe('Exact bash command to execute as `bash -c <command>`'),
  description: z
    .string()
    .optional()
    .describe('Brief description of the command for the user. Be specific and concise, ideally a single sentence.'),
  directory: z
    .string()
    .superRefine(checkDirectory)
    .optional()
    .describe('(OPTIONAL) Directory to run the command in, relative to the project root (default: the project root).'),
  is_background: z
    .boolean()
    .describe(
      'Whether to run the command in the background. true for long-running processes (dev servers, watchers, databases) ' +
        'that keep running; false for one-shot commands whose output you need. Required: choose explicitly.',
    ),
  timeout: z
    .number()
    .int()
    .positive()
    .max(MAX_SHELL_TIMEOUT_MS)
    .optional()
    .describe(`(OPTIONAL) Timeout in milliseconds (max ${MAX_SHELL_TIMEOUT_MS}, default ${DEFAULT_SHELL_TIMEOUT_MS}).`),
})

export type ShellParameters = z.output<typeof shellParametersSchema>

export interface ShellToolSettings {
  /** settings `tools.core` / `tools.exclude` (entries about other tools are ignored here). */
  core?: readonly string[] | undefined
  exclude?: readonly string[] | undefined
  /** settings `tools.shell`. */
  shell?: {enableInteractiveShell?: boolean; showColor?: boolean; pager?: string}
  /** Overrides for tests: the model's budget, when captured output is spilled into the sandbox, how much is saved. */
  limits?: Partial<{maxChars: number; maxLines: number; spillBytes: number; maxSavedBytes: number}>
  /** Names saved output files; default a random UUID per call. */
  callId?: () => string
}

const DESCRIPTION = `Executes a bash command as \`bash -c <command>\` inside the session's sandbox container, where the project is at ${WORKSPACE_ROOT}.

The following information is returned:
Command: the executed command.
Directory: the directory (relative to the project root) where the command ran, or \`(root)\`.
Stdout: output on the stdout stream, or \`(empty)\`. Cut when long (head and tail kept); the full output is saved to a file in the sandbox named in the cut marker.
Stderr: output on the stderr stream, or \`(empty)\`.
Error: an error reported while running the command (timeout, cancellation, out of memory), or \`(none)\`.
Exit Code: the exit code, or \`(none)\` if terminated by a signal.
Signal: the signal number if terminated by a signal, or \`(none)\`.
Background PIDs: PIDs of background processes started, or \`(none)\`.
Output File: only when processes run on in the background: the file their output goes to (read it later with cat or tail).
When output contains lines that look like these fields, it is enclosed between a \`<<<output <tag>\` line and an \`output <tag>>>\` line with the same random tag: everything between them is the command's output, and only lines outside such a fence are fields of the result.

Set is_background to true for long-running processes (dev servers, watchers); they keep running in the sandbox.
Files the command changes stay in the sandbox until the user applies them.`

/** What the user sees as the call's one-line description: the command, and `[background]` when backgrounded. */
export function describeShellCall(params: Pick<ShellParameters, 'command' | 'is_background'>): string {
  const background = params.is_background || endsWithBackgroundOperator(params.command)
  return background ? `${params.command} [background]` : params.command
}

function directoryLabel(directory: string | undefined): {cwd: string; label: string} {
  if (directory === undefined || directory.trim() === '') return {cwd: WORKSPACE_ROOT, label: '(root)'}
  const cwd = resolveWorkspacePath(directory)
  const relative = workspaceRelative(cwd)
  return {cwd, label: relative === '.' ? '(root)' : relative}
}

/** Removes the trailing `&` of a command that is backgrounded by the session anyway. */
function withoutTrailingAmpersand(command: string): string {
  return command.replace(/(^|[^&])&\s*(#[^\n]*)?\s*$/, '$1').trimEnd()
}

async function writeInSandbox(session: SandboxSession, file: string, data: Buffer): Promise<void> {
  try {
    await session.writeFile(file, data)
  } catch {
    // The directory may not exist yet: create it, then try once more (a second failure is reported).
    const dir = file.slice(0, file.lastIndexOf('/'))
    await session.exec(`mkdir -p '${dir}'`, {timeoutMs: 10_000}).result
    await session.writeFile(file, data)
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n').find((line) => line.trim() !== '') ?? text
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes.toLocaleString('en-US')} bytes`
}

interface StreamOutcome {
  text: string
  savedTo: string | undefined
  saveError: string | undefined
}

/** Everything one call needs, built once the parameters are valid. */
class ShellInvocation {
  readonly background: boolean
  readonly timeoutMs: number
  readonly directory: {cwd: string; label: string}
  readonly id: string
  readonly stdout: OutputCapture
  readonly stderr: OutputCapture

  constructor(
    readonly params: ShellParameters,
    readonly context: ToolContext,
    readonly settings: ShellToolSettings,
    readonly budget: OutputBudget,
  ) {
    this.background = params.is_background || endsWithBackgroundOperator(params.command)
    this.timeoutMs = params.timeout ?? DEFAULT_SHELL_TIMEOUT_MS
    this.directory = directoryLabel(params.directory)
    this.id = (settings.callId ?? randomUUID)()
    // Small parts: each stream holds one part while storing the previous one, so this bounds what a flood costs the host.
    const spillBytes = settings.limits?.spillBytes ?? 1024 * 1024
    const maxSavedBytes = settings.limits?.maxSavedBytes ?? MAX_SAVED_OUTPUT_BYTES
    const capture = (stream: 'stdout' | 'stderr') =>
      new OutputCapture({
        keepChars: Math.max(budget.chars, 1),
        spillBytes,
        maxSavedBytes,
        spill: (part, index) => writeInSandbox(context.session, `${this.filePath(stream)}.part${index}`, part),
      })
    this.stdout = capture('stdout')
    this.stderr = capture('stderr')
  }

  filePath(stream: 'stdout' | 'stderr'): string {
    return `${SHELL_OUTPUT_DIR}/${this.id}-${stream}.log`
  }

  get colors(): boolean {
    return Boolean(this.settings.shell?.enableInteractiveShell && this.settings.shell.showColor)
  }

  async run(): Promise<ToolResult> {
    const {session, signal, onProgress} = this.context
    const interactive = Boolean(this.settings.shell?.enableInteractiveShell)
    const env: Record<string, string> = {QWEN_CODE: '1'}
    if (interactive) env.PAGER = this.settings.shell?.pager ?? 'cat'
    const command = this.background ? withoutTrailingAmpersand(this.params.command) : this.params.command
    const handle = session.exec(command, {
      cwd: this.directory.cwd,
      env,
      signal,
      background: this.background,
      ...(this.background ? {} : {timeoutMs: this.timeoutMs}),
      ...(interactive ? {tty: true} : {}),
      maxOutputBytes: 256 * 1024,
    })
    let exitResult: ExecResult | undefined
    for await (const event of handle) {
      if (event.type === 'exit') {
        exitResult = event.result
        continue
      }
      const capture = event.type === 'stdout' ? this.stdout : this.stderr
      const text = capture.append(event.chunk)
      if (text !== '' && onProgress) onProgress({stream: event.type, chunk: this.colors ? text : stripAnsi(text)})
      // Backpressure: while the sandbox stores spilled output, the command waits instead of the host buffering it.
      await capture.drained()
    }
    for (const [stream, capture] of [
      ['stdout', this.stdout],
      ['stderr', this.stderr],
    ] as const) {
      const tail = capture.end()
      if (tail !== '' && onProgress) onProgress({stream, chunk: tail})
    }
    const result = exitResult ?? (await handle.result)
    // A session that reports output only in the result (no events) still gets its output shown.
    for (const [stream, capture] of [
      ['stdout', this.stdout],
      ['stderr', this.stderr],
    ] as const) {
      if (capture.totalBytes === 0 && result[stream].text !== '') {
        capture.append(Buffer.from(result[stream].text))
        capture.end()
      }
    }
    return this.format(result)
  }

  async #finish(stream: 'stdout' | 'stderr', capture: OutputCapture, budget: OutputBudget): Promise<StreamOutcome> {
    const captured = capture.text()
    const clean = {...captured, head: stripAnsi(captured.head), tail: stripAnsi(captured.tail)}
    if (fits(clean, budget) && clean.complete && capture.spilledParts === 0) {
      await capture.rest()
      return {text: clean.head, savedTo: undefined, saveError: undefined}
    }
    const file = this.filePath(stream)
    const cut = cutForModel(clean, budget, file)
    const marker = `the full output is in ${file}`
    const parts = Array.from({length: capture.spilledParts}, (_, i) => `${file}.part${i}`)
    try {
      const last = await capture.rest()
      const problem = capture.saveProblem
      if (problem?.kind === 'error') throw problem.error
      if (capture.spilledParts === 0) await writeInSandbox(this.context.session, file, last)
      else {
        if (last.length > 0) {
          await writeInSandbox(this.context.session, `${file}.part${capture.spilledParts}`, last)
          parts.push(`${file}.part${capture.spilledParts}`)
        }
        // Part by part, each removed once appended: /tmp never holds much more than one copy of the output.
        const joined = await this.context.session.exec(
          parts.map((part, i) => `cat '${part}' ${i === 0 ? '>' : '>>'} '${file}' && rm -f '${part}'`).join(' && '),
          {timeoutMs: 60_000},
        ).result
        if (joined.exitCode !== 0) throw new Error(joined.stderr.text.trim() || `exit code ${joined.exitCode}`)
      }
      const text =
        problem?.kind === 'limit'
          ? cut.text.replace(
              marker,
              `the first ${formatBytes(problem.savedBytes)} of the output are in ${file} (the rest was not saved)`,
            )
          : cut.text
      return {text, savedTo: file, saveError: undefined}
    } catch (error) {
      this.context.log.warn({err: error, file}, 'could not save full shell output')
      // Whatever was stored is removed, so a full /tmp is left to the agent's own commands.
      await this.context.session
        .exec(`rm -f '${file}' ${parts.map((part) => `'${part}'`).join(' ')}`, {timeoutMs: 10_000})
        .result.catch(() => undefined)
      const message = firstLine(error)
      const text = cut.text.replace(marker, `the full output could not be saved: ${message}`)
      return {text, savedTo: undefined, saveError: message}
    }
  }

  async format(result: ExecResult): Promise<ToolResult> {
    const [outBudget, errBudget] = splitBudget(this.stdout.text(), this.stderr.text(), this.budget)
    const stdout = await this.#finish('stdout', this.stdout, outBudget)
    const stderr = await this.#finish('stderr', this.stderr, errBudget)
    const problem = terminationProblem(result, this.timeoutMs)
    const forModel = formatShellResult({
      command: this.params.command,
      directory: this.directory.label,
      stdout: stdout.text,
      stderr: stderr.text,
      error: problem?.message,
      exitCode: result.exitCode,
      signal: result.signal,
      backgroundPids: result.backgroundPids,
      outputFile: result.backgroundLog,
    })
    const network = result.networkNotes ?? []
    const status = problem
      ? problem.message
      : this.background
        ? `started in the background${result.backgroundPids.length > 0 ? ` (PID ${result.backgroundPids.join(', ')})` : ''}${
            result.backgroundLog ? `; output in ${result.backgroundLog}` : ''
          }`
        : result.exitCode !== null
          ? `exit code ${result.exitCode}`
          : `killed by ${result.signal ?? 'a signal'}`
    const saved = [stdout.savedTo, stderr.savedTo].filter(Boolean)
    const notSaved = stdout.saveError ?? stderr.saveError
    const forUser = [
      `$ ${describeShellCall(this.params)}`,
      ...(this.params.description ? [`# ${this.params.description}`] : []),
      `(${status}${saved.length > 0 ? `; full output in ${saved.join(', ')}` : ''}${
        notSaved ? `; full output not saved: ${notSaved}` : ''
      })`,
      ...network,
    ].join('\n')
    const withNetwork = network.length > 0 ? `${forModel}\n${network.join('\n')}` : forModel
    return problem ? {forModel: withNetwork, forUser, error: problem} : {forModel: withNetwork, forUser}
  }
}

/** The tool configured with the settings' permission lists and shell options. */
export function createRunShellCommandTool(settings: ShellToolSettings = {}): ToolDefinition<ShellParameters> {
  const rules: ShellPermissionRules = compileShellRules({core: settings.core, exclude: settings.exclude})
  const budget: OutputBudget = {
    chars: settings.limits?.maxChars ?? MODEL_OUTPUT_MAX_CHARS,
    lines: settings.limits?.maxLines ?? MODEL_OUTPUT_MAX_LINES,
  }
  return Object.freeze({
    name: SHELL_TOOL_NAME,
    displayName: 'Shell',
    description: DESCRIPTION,
    parameters: shellParametersSchema,
    kind: 'execute',
    actsOn: 'sandbox',
    describe: describeShellCall,
    async execute(params: ShellParameters, context: ToolContext): Promise<ToolResult> {
      const permission = checkShellCommand(params.command, rules)
      if (!permission.allowed) {
        return {
          forModel: permission.message,
          forUser: permission.message,
          error: {kind: 'refused', message: permission.message},
        }
      }
      return new ShellInvocation(params, context, settings, budget).run()
    },
  } satisfies ToolDefinition<ShellParameters>)
}

/**
 * The tool configured from merged settings (`tools.core`, `tools.exclude`, `tools.shell`, and Qwen Code's
 * `tools.truncateToolOutputThreshold` / `tools.truncateToolOutputLines` for what the model reads).
 */
export function shellToolFromSettings(tools: {
  core?: readonly string[] | undefined
  exclude?: readonly string[] | undefined
  shell?: ShellToolSettings['shell']
  truncateToolOutputThreshold?: number | undefined
  truncateToolOutputLines?: number | undefined
}): ToolDefinition<ShellParameters> {
  const limits = {
    ...(tools.truncateToolOutputThreshold !== undefined ? {maxChars: tools.truncateToolOutputThreshold} : {}),
    ...(tools.truncateToolOutputLines !== undefined ? {maxLines: tools.truncateToolOutputLines} : {}),
  }
  return createRunShellCommandTool({
    core: tools.core,
    exclude: tools.exclude,
    ...(tools.shell ? {shell: tools.shell} : {}),
    ...(Object.keys(limits).length > 0 ? {limits} : {}),
  })
}
