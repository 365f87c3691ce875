// loadConfig: settings files + the .env file + command-line flags, resolved once into one frozen, typed AgentConfig.
import path from 'node:path'

import {UserInputError} from '../errors.js'
import {loadEnvironment, type EnvFile} from './env-file.js'
import type {SandboxSettings, Settings} from './schema.js'
import {loadSettings} from './settings-files.js'

export type ApprovalMode = 'default' | 'auto-edit' | 'yolo'
export type NetworkMode = SandboxSettings['network']

/** Command-line values that override settings and variables. All optional: absent means "not given". */
export interface ConfigFlags {
  model?: string
  /** `--auth`: provider id or Qwen Code auth type (`openai`, `qwen-oauth`). */
  auth?: string
  openaiApiKey?: string
  openaiBaseUrl?: string
  approvalMode?: ApprovalMode
  /** `--network`: a mode, or true for `bridge` and false for `none`. */
  network?: NetworkMode | boolean
  maxTurns?: number
  debug?: boolean
}

/** Where a variable's value came from: `environment`, `flag --x`, or the path of the .env file. */
export type ValueSource = string

export interface AgentConfig {
  /** The project directory (absolute): its `.qwen/settings.json` is read and it is copied into the sandbox. */
  readonly projectRoot: string
  readonly home: string
  /** Merged, validated settings (user + project), with defaults; unknown keys kept. */
  readonly settings: Readonly<Settings>
  /** Environment for the agent: the given env, plus the .env file's variables, plus OPENAI_* flags on top. */
  readonly env: Readonly<Record<string, string>>
  /** For each variable of `env` not from the given environment: `flag --x` or the .env file path. */
  readonly envSources: Readonly<Record<string, ValueSource>>
  /** Model name asked for: --model, then OPENAI_MODEL, then settings model.name. Undefined: the provider's default. */
  readonly model: string | undefined
  readonly modelTimeoutMs: number | undefined
  readonly modelMaxRetries: number | undefined
  /** Auth method asked for: --auth, then settings security.auth.selectedType. */
  readonly authType: string | undefined
  readonly approvalMode: ApprovalMode
  /** settings.sandbox with --network applied. */
  readonly sandbox: Readonly<SandboxSettings>
  /** Undefined: no limit. */
  readonly maxTurns: number | undefined
  readonly debug: boolean
  readonly flags: Readonly<ConfigFlags>
  readonly sources: {
    readonly settingsFiles: readonly string[]
    readonly envFile: EnvFile | undefined
  }
}

export interface LoadConfigOptions {
  /** Project directory; relative paths resolve against process.cwd() once, here. */
  cwd: string
  home: string
  /** The starting environment, usually process.env. Never modified. */
  env: Readonly<Record<string, string | undefined>>
  flags?: ConfigFlags
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

function networkFrom(flag: ConfigFlags['network'], fallback: NetworkMode): NetworkMode {
  if (flag === undefined) return fallback
  if (flag === true) return 'bridge'
  if (flag === false) return 'none'
  if (flag !== 'none' && flag !== 'bridge')
    throw new UserInputError(`Invalid --network value "${String(flag)}"`, {hint: 'Use none or bridge'})
  return flag
}

/** Reads everything once; the result is deeply frozen and holds no reference to process.env. */
export function loadConfig(options: LoadConfigOptions): AgentConfig {
  const flags = {...options.flags}
  const projectRoot = path.resolve(options.cwd)
  const home = path.resolve(options.home)
  const {settings, files} = loadSettings({projectRoot, home})
  const loaded = loadEnvironment({
    cwd: projectRoot,
    home,
    env: options.env,
    excluded: settings.advanced.excludedEnvVars,
  })

  const env: Record<string, string> = {...loaded.env}
  const envSources: Record<string, ValueSource> = {}
  for (const name of loaded.fromFile) envSources[name] = loaded.file!.path
  const flagVars: [keyof ConfigFlags, string, string][] = [
    ['openaiApiKey', 'OPENAI_API_KEY', '--openai-api-key'],
    ['openaiBaseUrl', 'OPENAI_BASE_URL', '--openai-base-url'],
    ['model', 'OPENAI_MODEL', '--model'],
  ]
  for (const [flag, name, flagName] of flagVars) {
    const value = flags[flag]
    if (typeof value === 'string' && value !== '') {
      env[name] = value
      envSources[name] = `flag ${flagName}`
    }
  }

  const model = nonEmpty(flags.model) ?? nonEmpty(env.OPENAI_MODEL) ?? settings.model.name
  const turns = flags.maxTurns ?? settings.model.maxSessionTurns
  if (flags.maxTurns !== undefined && (!Number.isInteger(flags.maxTurns) || flags.maxTurns < 1)) {
    throw new UserInputError(`Invalid --max-turns value ${flags.maxTurns}`, {hint: 'Use a whole number of at least 1'})
  }
  const settingsMode = settings.tools.approvalMode
  const approvalMode: ApprovalMode =
    flags.approvalMode ?? (settingsMode === undefined || settingsMode === 'plan' ? 'default' : settingsMode)

  const config: AgentConfig = {
    projectRoot,
    home,
    settings,
    env,
    envSources,
    model,
    modelTimeoutMs: settings.model.timeout ?? settings.model.generationConfig?.timeout,
    modelMaxRetries: settings.model.maxRetries ?? settings.model.generationConfig?.maxRetries,
    authType: nonEmpty(flags.auth) ?? settings.security.auth.selectedType,
    approvalMode,
    sandbox: {...settings.sandbox, network: networkFrom(flags.network, settings.sandbox.network)},
    maxTurns: turns !== undefined && turns > 0 ? turns : undefined,
    debug: Boolean(flags.debug) || isTruthy(env.DEBUG) || isTruthy(env.DEBUG_MODE),
    flags,
    sources: {settingsFiles: files, envFile: loaded.file},
  }
  return deepFreeze(config)
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
