// loadConfig: settings files + the .env file + command-line flags, resolved once into one frozen, typed AgentConfig.
import path from 'node:path'

import {UserInputError} from '../errors.js'
import {
  envFileTrust,
  filterUntrustedSettings,
  ignoredSettingNotice,
  ignoredVariableNotice,
  resolveProjectTrust,
  type ProjectTrust,
  type SourceTrust,
} from '../trust/index.js'
import {deepMerge, type JsonObject} from './deep-merge.js'
import {loadEnvironment, type EnvFile} from './env-file.js'
import {settingsSchema, type SandboxSettings, type Settings} from './schema.js'
import {legacySettingsNotice} from './legacy-settings.js'
import {checkSettings, readSettingsLayers} from './settings-files.js'
import {parseAllowEntry, withAllowedHosts, type NetworkSetting} from './network-setting.js'
import {allowedHostsPath, readProjectAllowedHosts} from './project-allowed-hosts.js'

export type ApprovalMode = 'default' | 'auto-edit' | 'yolo'
export type NetworkMode = 'none' | 'bridge'

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
  /** `--allow-host` (repeatable): hosts added to sandbox.network's allow list for this run. */
  allowHosts?: string[]
  maxTurns?: number
  debug?: boolean
  /** `--core-tools` / `--exclude-tools`: replace settings tools.core / tools.exclude. */
  coreTools?: string[]
  excludeTools?: string[]
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
  /** settings.sandbox with --network and --allow-host applied. */
  readonly sandbox: Readonly<SandboxSettings>
  /** Undefined: no limit. */
  readonly maxTurns: number | undefined
  readonly debug: boolean
  readonly flags: Readonly<ConfigFlags>
  readonly sources: {
    readonly settingsFiles: readonly string[]
    readonly envFile: EnvFile | undefined
    /** ~/.qwen/sandboxAllowedHosts.json, when its entries for this project widened the allow list. */
    readonly allowedHostsFile?: string
  }
  /** The trust of each variable that came from a .env file (absent: the user's environment or a flag). */
  readonly envTrust: Readonly<Record<string, SourceTrust>>
  /** Folder trust: the project's decision and what an untrusted folder's config was not allowed to do. */
  readonly trust: {
    readonly project: ProjectTrust
    /** The .env file's trust, when one was loaded. */
    readonly envFile: SourceTrust | undefined
    /** One line per key or variable that was ignored; printed once (stderr, the chat transcript). */
    readonly notices: readonly string[]
    /** The keys an untrusted project's settings would have changed (what trusting the folder would apply). */
    readonly ignoredSettings: readonly {key: string; effect: string}[]
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

/** Variable names that choose where requests go (endpoints, proxies): an untrusted folder's .env may not set them. */
const ENDPOINT_VARIABLE = /(URL|URI|ENDPOINT|HOST|PROXY)$/i

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

function networkFrom(flag: ConfigFlags['network'], fallback: NetworkSetting): NetworkSetting {
  if (flag === undefined) return fallback
  if (flag === true) return 'bridge'
  if (flag === false) return 'none'
  if (flag !== 'none' && flag !== 'bridge')
    throw new UserInputError(`Invalid --network value "${String(flag)}"`, {hint: 'Use none or bridge'})
  return flag
}

/** --network, then --allow-host on top; a malformed host is a one-line user error. */
function networkWithFlags(flags: ConfigFlags, fallback: NetworkSetting): NetworkSetting {
  const hosts = flags.allowHosts ?? []
  for (const host of hosts) {
    const parsed = parseAllowEntry(host)
    if (!parsed.ok)
      throw new UserInputError(`Invalid --allow-host "${host}": expected ${parsed.problem}`, {
        hint: 'Give a host name such as registry.example.org, *.example.org or example.org:8443',
      })
  }
  return withAllowedHosts(
    networkFrom(flags.network, fallback),
    hosts.map((host) => host.trim().toLowerCase()),
  )
}

/**
 * An allow list with the hosts the user chose to always allow for this project (read from the user's home, with the
 * user's trust); "none" and "bridge" stay as they are: the answers were given to widen a list, not to open a network.
 */
function withStoredHosts(setting: NetworkSetting, stored: readonly string[]): NetworkSetting {
  return typeof setting === 'object' ? withAllowedHosts(setting, stored) : setting
}

/** Reads everything once; the result is deeply frozen and holds no reference to process.env. */
export function loadConfig(options: LoadConfigOptions): AgentConfig {
  const flags = {...options.flags}
  const projectRoot = path.resolve(options.cwd)
  const home = path.resolve(options.home)
  const layers = readSettingsLayers({projectRoot, home})
  const userRaw: JsonObject = layers.user?.raw ?? {}
  const project = resolveProjectTrust({
    home,
    projectRoot,
    enabled: settingsSchema.parse(userRaw).security.folderTrust.enabled,
  })
  const notices: string[] = []
  for (const read of [layers.user, layers.project])
    if (read && read.legacyKeys.length > 0) notices.push(legacySettingsNotice(read.file, read.legacyKeys))
  let ignoredSettings: {key: string; effect: string}[] = []
  let raw = userRaw
  const files: string[] = layers.user ? [layers.user.file] : []
  if (layers.project) {
    let projectRaw = layers.project.raw
    if (project.source === 'untrusted-folder') {
      const filtered = filterUntrustedSettings(userRaw, projectRaw)
      projectRaw = filtered.kept
      ignoredSettings = filtered.dropped
      for (const {key, effect} of filtered.dropped)
        notices.push(ignoredSettingNotice(key, effect, layers.project.file, projectRoot))
    }
    raw = deepMerge(raw, projectRaw)
    files.push(layers.project.file)
  }
  const checked = checkSettings(raw, files.length > 0 ? files.join(' + ') : 'settings')
  // --core-tools / --exclude-tools (the SDKs pass them) replace the settings' lists.
  const settings =
    flags.coreTools === undefined && flags.excludeTools === undefined
      ? checked
      : {
          ...checked,
          tools: {
            ...checked.tools,
            ...(flags.coreTools !== undefined ? {core: flags.coreTools} : {}),
            ...(flags.excludeTools !== undefined ? {exclude: flags.excludeTools} : {}),
          },
        }
  const loaded = loadEnvironment({
    cwd: projectRoot,
    home,
    env: options.env,
    excluded: settings.advanced.excludedEnvVars,
  })

  const env: Record<string, string> = {...loaded.env}
  const envSources: Record<string, ValueSource> = {}
  const envTrust: Record<string, SourceTrust> = {}
  const fileTrust = loaded.file ? envFileTrust(loaded.file, home, project) : undefined
  for (const name of loaded.fromFile) {
    // An untrusted folder's endpoints never reach an auth provider; OPENAI_BASE_URL stays, because the built-in
    // provider pairs it with a key from the same file (or refuses the run, saying why).
    if (fileTrust?.trust === 'untrusted-folder' && name !== 'OPENAI_BASE_URL' && ENDPOINT_VARIABLE.test(name)) {
      delete env[name]
      notices.push(ignoredVariableNotice(name, loaded.file!.path, fileTrust.folder))
      continue
    }
    envSources[name] = loaded.file!.path
    if (fileTrust) envTrust[name] = fileTrust.trust
  }
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

  const withFlags = networkWithFlags(flags, settings.sandbox.network)
  const network = withStoredHosts(withFlags, readProjectAllowedHosts(home, projectRoot))
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
    sandbox: {...settings.sandbox, network},
    maxTurns: turns !== undefined && turns > 0 ? turns : undefined,
    debug: Boolean(flags.debug) || isTruthy(env.DEBUG) || isTruthy(env.DEBUG_MODE),
    flags,
    sources: {
      settingsFiles: files,
      envFile: loaded.file,
      ...(network !== withFlags ? {allowedHostsFile: allowedHostsPath(home)} : {}),
    },
    envTrust,
    trust: {project, envFile: fileTrust?.trust, notices, ignoredSettings},
  }
  return deepFreeze(config)
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
