// What `agent run`, `chat`, `acp` and `batch` plug together from other folders: config from flags, the built-in tools,
// the model client and an open sandbox session for the project.
import {constants as fsConstants} from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'

import type {ApprovalMode} from '../agent/approvals.js'
import type {ModelClient} from '../agent/model-client.js'
import {createAuthRegistry, type AuthProvider, type AuthRegistry} from '../auth/index.js'
import {loadConfig, type AgentConfig} from '../config/index.js'
import {isAgentError, UserInputError} from '../errors.js'
import {fileProblem} from '../file-problem.js'
import type {Logger} from '../logging/logger.js'
import {loadPluginContributions, type HookRunner} from '../plugins/load-contributions.js'
import {loadToolSources, type RegisteredToolSource} from '../plugins/load-tool-sources.js'
import {reportToStderr} from '../plugins/plugin-registries.js'
import {createSandboxEngine} from '../sandbox/create-engine.js'
import type {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import type {SandboxEngine, SandboxSession} from '../sandbox/types.js'
import {contextFileNames, globalMemoryFile} from '../context/index.js'
import {openToolSources, type SessionToolSources} from '../tools/open-tool-sources.js'
import {ToolRegistry} from '../tools/registry.js'
import {createSaveMemoryTool} from '../tools/save-memory/save-memory-tool.js'
import {shellToolFromSettings} from '../tools/shell/run-shell-command.js'
import {createTodoWriteTool} from '../tools/todo-write/todo-write-tool.js'
import type {ToolDefinition} from '../tools/types.js'

/** The flags `agent run` and `agent chat` share, as oclif parses them. */
export interface SessionFlags {
  cwd?: string | undefined
  model?: string | undefined
  auth?: string | undefined
  yolo?: boolean | undefined
  'approval-mode'?: ApprovalMode | undefined
  network?: boolean | undefined
  'allow-host'?: string[] | undefined
  'max-turns'?: number | undefined
  debug?: boolean | undefined
  /** `--core-tools` / `--exclude-tools` (agent run), already split on commas. */
  coreTools?: string[] | undefined
  excludeTools?: string[] | undefined
}

/** Settings, .env and the command's flags as one config (flags win); the same for every command that runs the agent. */
export function loadSessionConfig(flags: SessionFlags): AgentConfig {
  return loadConfig({
    cwd: flags.cwd ?? process.cwd(),
    home: os.homedir(),
    env: process.env,
    flags: {
      ...(flags.model ? {model: flags.model} : {}),
      ...(flags.auth ? {auth: flags.auth} : {}),
      ...(flags.yolo
        ? {approvalMode: 'yolo' as const}
        : flags['approval-mode']
          ? {approvalMode: flags['approval-mode']}
          : {}),
      ...(flags.network !== undefined ? {network: flags.network} : {}),
      ...(flags['allow-host'] ? {allowHosts: flags['allow-host']} : {}),
      ...(flags['max-turns'] !== undefined ? {maxTurns: flags['max-turns']} : {}),
      debug: Boolean(flags.debug),
      ...(flags.coreTools ? {coreTools: flags.coreTools} : {}),
      ...(flags.excludeTools ? {excludeTools: flags.excludeTools} : {}),
    },
  })
}

/**
 * The config one session works with: settings, .env and flags; `onConfig` sees it first (the project's `.qwen/.env` may
 * turn on debug logging); then the project directory is checked, and folder trust's notices are `Note:` lines on
 * stderr unless the caller shows them itself (chat, in its transcript).
 */
export async function loadProjectConfig(
  flags: SessionFlags,
  options: {onConfig?: ((config: AgentConfig) => void) | undefined; notices?: 'stderr' | 'shown-by-caller'} = {},
): Promise<AgentConfig> {
  const config = loadSessionConfig(flags)
  options.onConfig?.(config)
  await assertProjectDirectory(config.projectRoot)
  if (options.notices !== 'shown-by-caller') reportConfigNotices(config)
  return config
}

/**
 * The model client of the selected auth provider. `interactive`: a provider that is not configured may log in first
 * (its lines on stderr); otherwise it fails with the one line that says how to configure it.
 */
export function resolveModelClient(
  auth: AuthRegistry,
  config: AgentConfig,
  options: {logger: Logger; interactive: boolean; signal: AbortSignal},
): Promise<ModelClient> {
  const {interactive, signal} = options
  const info = (line: string) => process.stderr.write(`${line}\n`)
  return auth.resolveClient({...config, logger: options.logger}, {interactive, io: {info, interactive, signal}})
}

/** Folder trust's notices (each ignored key or variable of an untrusted folder), one `Note:` line each, once. */
export function reportConfigNotices(
  config: AgentConfig,
  write: (line: string) => void = (line) => process.stderr.write(line),
): void {
  for (const notice of config.trust.notices) write(`Note: ${notice}\n`)
}

/** The core tools (plugins add theirs through the `agent:tools` hook). */
export function coreTools(config: AgentConfig): ToolDefinition<unknown>[] {
  const memoryFile = globalMemoryFile(config.home, contextFileNames(config.settings.context.fileName))
  return [
    shellToolFromSettings(config.settings.tools) as ToolDefinition<unknown>,
    createSaveMemoryTool({file: memoryFile}) as ToolDefinition<unknown>,
    createTodoWriteTool() as ToolDefinition<unknown>,
  ]
}

/**
 * Every tool and auth provider: the built-in ones plus what plugins contribute through their hooks (gathered once),
 * and the tool sources whose tools are listed once the session opens (`openSessionTools`).
 */
export async function loadContributions(
  hooks: HookRunner,
  config: AgentConfig,
): Promise<{tools: ToolRegistry; auth: AuthRegistry; sources: RegisteredToolSource[]}> {
  const tools = new ToolRegistry()
  for (const tool of coreTools(config)) tools.register(tool, 'core')
  const providers: {provider: AuthProvider; source: string}[] = []
  const settings = config.settings as Record<string, unknown>
  const [, sources] = await Promise.all([
    loadPluginContributions(hooks, tools, {
      auth: {register: (provider, source) => providers.push({provider, source})},
      settings,
      home: config.home,
      report: reportToStderr,
    }),
    loadToolSources(hooks, settings, reportToStderr),
  ])
  return {tools, auth: createAuthRegistry(providers), sources}
}

/**
 * The tools of the run-time sources (MCP servers), listed in the open session; filtered by settings like every other
 * tool. Each problem is one `Warning:` line on stderr unless `report` says otherwise. Dispose the result when the
 * session ends.
 */
export async function openSessionTools(input: {
  sources: readonly RegisteredToolSource[]
  registry: ToolRegistry
  session: SandboxSession
  config: AgentConfig
  logger: Logger
  signal: AbortSignal
  report?: (line: string) => void
}): Promise<SessionToolSources> {
  const opened = await openToolSources(input.sources, {
    session: input.session,
    signal: input.signal,
    log: input.logger,
    env: input.config.env,
    takenNames: input.registry.list().map(({definition}) => definition.name),
    filter: input.config.settings.tools,
  })
  for (const notice of opened.notices) (input.report ?? reportToStderr)(notice)
  return opened
}

/** The project directory exists and can be read: a user error (exit 2) naming what to check otherwise. */
export async function assertProjectDirectory(dir: string): Promise<void> {
  const stat = await fs.stat(dir).catch(() => undefined)
  if (!stat?.isDirectory())
    throw new UserInputError(`Project directory ${dir} does not exist or is not a directory`, {hint: 'Check --cwd'})
  try {
    await fs.access(dir, fsConstants.R_OK | fsConstants.X_OK)
  } catch (error) {
    throw new UserInputError(`Cannot read the project directory ${dir}: ${fileProblem(error)}`, {
      hint: 'Make it readable by your user, or check --cwd',
    })
  }
}

export interface OpenSandboxOptions {
  signal: AbortSignal
  logger: Logger
  /** Sessions to remove (or keep) should the process be told to stop. */
  cleanup: SessionCleanup
  /** Use a warm idle container of this project when there is one, and leave it warm afterwards. */
  reuse: boolean
  /**
   * A resumed conversation's last sandbox: re-opened when it was kept (same container and workspace volume, earlier
   * changes in it); when it is gone, a fresh copy of the project is opened and `onFresh` says why.
   */
  previous?: string | undefined
  onFresh?: (why: string) => void
  /** The id a fresh session gets (see OpenOptions.sessionId), when the caller names it before the open finishes. */
  sessionId?: string | undefined
  /** See OpenOptions.onChecked. */
  onChecked?: () => void
}

/** Starts a sandbox container holding a copy of the project (checked for isolation before it is handed out). */
export async function openSandbox(config: AgentConfig, options: OpenSandboxOptions): Promise<SandboxSession> {
  // A bug that escapes every catch must not leave the container running: stop and keep it, say so in one line.
  options.cleanup.installCrashHandlers({
    report: (error, kept) => {
      options.logger.error({err: error}, 'uncaught error')
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]
      const hint = kept.map((id) => ` The sandbox is kept (stopped): \`agent diff ${id}\` or \`agent discard ${id}\`.`)
      process.stderr.write(`Error: unexpected failure: ${message}.${hint.join('')}\n`)
    },
  })
  const engine = createSandboxEngine({logger: options.logger, cleanup: options.cleanup, hostEnv: {...config.env}})
  await reportOrphans(engine, options.logger)
  if (options.previous) {
    const kept = await reopenKept(engine, options.previous, config.projectRoot, options)
    if (kept) return kept
  }
  return engine.open(config.projectRoot, config.sandbox, {
    signal: options.signal,
    reuse: options.reuse,
    ...(options.sessionId ? {sessionId: options.sessionId} : {}),
    ...(options.onChecked ? {onChecked: options.onChecked} : {}),
  })
}

/** The kept sandbox of an earlier run of this project, started again for more work; undefined (and why) otherwise. */
async function reopenKept(
  engine: SandboxEngine,
  id: string,
  projectRoot: string,
  options: OpenSandboxOptions,
): Promise<SandboxSession | undefined> {
  let session: SandboxSession
  try {
    session = await engine.resume(id, {onExit: 'remove'})
  } catch (error) {
    options.logger.info({err: error, session: id}, 'the earlier sandbox cannot be re-opened')
    const what = isAgentError(error) ? error.message : 'it is no longer there (applied, discarded or pruned)'
    options.onFresh?.(`the sandbox ${id} of this conversation cannot be re-opened: ${firstLower(what)}`)
    return undefined
  }
  if (session.hostWorkspace !== projectRoot) {
    await session.keep()
    options.onFresh?.(`the sandbox ${id} of this conversation holds another project (${session.hostWorkspace})`)
    return undefined
  }
  return session
}

function firstLower(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

/** One line on stderr about containers a killed agent process left behind (best effort: never blocks the run). */
async function reportOrphans(engine: SandboxEngine, logger: Logger): Promise<void> {
  const orphans = await engine.orphans().catch((error: unknown) => {
    logger.debug({err: error}, 'could not look for orphaned sandboxes')
    return []
  })
  if (orphans.length === 0) return
  const ids = orphans.map((orphan) => orphan.sessionId).join(', ')
  const what = orphans.length === 1 ? 'container was' : 'containers were'
  process.stderr.write(
    `Note: ${orphans.length} sandbox ${what} left behind by an agent process that is gone (session ${ids}); ` +
      '`agent sandbox prune` removes them.\n',
  )
}
