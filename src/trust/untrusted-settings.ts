// The merge rule for a project settings file in an untrusted folder: what may tighten stays, every widening key goes.
import {isPlainObject, type JsonObject} from '../config/deep-merge.js'
import {isNetworkWider, networkSettingSchema} from '../config/network-setting.js'
import {settingsSchema, type Settings} from '../config/schema.js'

/** One key of an untrusted project's settings that was not applied, and what it would have done. */
export interface DroppedSetting {
  /** Dotted path, e.g. `sandbox.env` or `security.auth.baseUrl`. */
  key: string
  /** What applying it would do, e.g. "would pass host variables into the sandbox". */
  effect: string
}

export interface FilteredSettings {
  /** The project's settings that may apply (tightenings, and keys that neither widen nor route credentials). */
  kept: JsonObject
  dropped: DroppedSetting[]
}

/** Qwen Code's approval modes from the most to the least asking (`plan` runs as `default` here). */
const APPROVAL_RANK: Record<string, number> = {plan: 0, default: 0, 'auto-edit': 1, yolo: 2}

/** The turn limit a run uses when no setting gives one (agent run and agent chat). */
const DEFAULT_TURN_LIMIT = 50

/** Top-level keys that add tools, servers, hooks or model providers: never from an untrusted folder. */
const ADDS_CODE: Record<string, string> = {
  mcpServers: 'would start MCP servers',
  mcp: 'would change which MCP servers run',
  hooks: 'would run hook commands',
  extensions: 'would load extensions',
  plugins: 'would load plugins',
  modelProviders: 'would add model providers (where requests and keys go)',
}

/** Keys under `tools` that add or auto-approve tools. */
const TOOLS_ADDS: Record<string, string> = {
  allowed: 'would run tools without asking',
  discoveryCommand: 'would run a command to discover tools',
  callCommand: 'would run a command to call tools',
  sandbox: 'would change how tools are sandboxed',
}

/** Names that say "this value decides where something is sent": never from an untrusted folder, at any depth. */
const ENDPOINT_NAME = /(url|uri|endpoint|host|proxy|apikey|api_key|token|secret|password|credential)s?$/i

const SANDBOX_LIMITS: Record<string, string> = {
  memory: 'would raise the memory limit',
  cpus: 'would raise the CPU limit',
  pids: 'would raise the process limit',
  tmpSize: 'would raise the /tmp size',
  maxApplyBytes: 'would raise how much apply may write',
  maxApplyFiles: 'would raise how many entries apply may write',
  warmPool: 'would keep more sandbox containers running',
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0
  if (isPlainObject(value)) return Object.keys(value).length === 0
  return value === undefined || value === null || value === false || value === ''
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** `none`, the user's own value, or an allow-list within what the user's setting allows: tighter or equal. */
export function networkIsTighterOrEqual(project: unknown, user: unknown): boolean {
  if (project === 'none' || sameJson(project, user)) return true
  const mine = networkSettingSchema.safeParse(project)
  const theirs = networkSettingSchema.safeParse(user ?? 'none')
  if (!mine.success || !theirs.success) return false
  return !isNetworkWider(theirs.data, mine.data)
}

function union(user: unknown, project: unknown): string[] {
  const out: string[] = []
  for (const list of [user, project]) {
    if (!Array.isArray(list)) continue
    for (const entry of list) if (typeof entry === 'string' && !out.includes(entry)) out.push(entry)
  }
  return out
}

function turnLimit(value: number | undefined): number {
  if (value === undefined) return DEFAULT_TURN_LIMIT
  return value <= 0 ? Number.POSITIVE_INFINITY : value
}

/** model.sessionTokenLimit: unset, 0 and -1 all mean no limit. */
function tokenLimit(value: number | undefined): number {
  return value === undefined || value <= 0 ? Number.POSITIVE_INFINITY : value
}

function leaves(value: unknown, prefix: string): string[] {
  if (!isPlainObject(value) || Object.keys(value).length === 0) return [prefix]
  return Object.entries(value).flatMap(([key, child]) => leaves(child, `${prefix}.${key}`))
}

/** Copies `value` without any key whose name looks like an endpoint or a secret; those are reported as dropped. */
function withoutEndpoints(value: unknown, prefix: string, dropped: DroppedSetting[]): unknown {
  if (!isPlainObject(value)) return value
  const out: JsonObject = {}
  for (const [key, child] of Object.entries(value)) {
    const at = `${prefix}.${key}`
    if (ENDPOINT_NAME.test(key)) dropped.push({key: at, effect: 'would choose where requests or credentials go'})
    else out[key] = withoutEndpoints(child, at, dropped)
  }
  return out
}

/**
 * Splits an untrusted project's settings (`project`, as read from its file) into what may apply and what may not,
 * judged against the user's settings (`user`, as read from ~/.qwen/settings.json). Lists whose entries only tighten
 * (`tools.exclude`, `sandbox.exclude`, `advanced.excludedEnvVars`) are joined with the user's instead of replacing
 * them, since a replacement could drop the user's own entries.
 */
export function filterUntrustedSettings(user: JsonObject, project: JsonObject): FilteredSettings {
  const dropped: DroppedSetting[] = []
  const drop = (key: string, effect: string) => dropped.push({key, effect})
  const userSettings: Settings = settingsSchema.parse(user)
  const projectSettings: Settings = settingsSchema.parse(project)
  const kept: JsonObject = {}

  for (const [section, value] of Object.entries(project)) {
    if (section === '__proto__' || section === 'constructor' || section === 'prototype') continue
    if (ADDS_CODE[section]) {
      if (!isEmpty(value)) drop(section, ADDS_CODE[section])
      continue
    }
    if (section === 'security') {
      for (const key of leaves(value, 'security')) drop(key, 'would change authentication or folder trust')
      continue
    }
    if (section === 'sandbox' && isPlainObject(value)) {
      kept.sandbox = keepSandbox(value, user.sandbox, userSettings, projectSettings, drop)
      continue
    }
    if (section === 'tools' && isPlainObject(value)) {
      kept.tools = keepTools(value, user.tools, userSettings, drop)
      continue
    }
    if (section === 'model' && isPlainObject(value)) {
      const model: JsonObject = {}
      for (const [key, child] of Object.entries(value)) {
        if (key === 'maxSessionTurns') {
          if (turnLimit(projectSettings.model.maxSessionTurns) > turnLimit(userSettings.model.maxSessionTurns))
            drop('model.maxSessionTurns', 'would raise the turn limit')
          else model[key] = child
        } else if (key === 'sessionTokenLimit') {
          if (tokenLimit(projectSettings.model.sessionTokenLimit) > tokenLimit(userSettings.model.sessionTokenLimit))
            drop('model.sessionTokenLimit', 'would raise the session token limit')
          else model[key] = child
        } else if (key === 'skipLoopDetection' && child === true && userSettings.model.skipLoopDetection !== true) {
          drop('model.skipLoopDetection', 'would turn off loop detection')
        } else if (key === 'provider') drop('model.provider', 'would change the model provider')
        else model[key] = withoutEndpoints(child, `model.${key}`, dropped)
      }
      kept.model = model
      continue
    }
    if (section === 'advanced' && isPlainObject(value)) {
      const advanced = withoutEndpoints(value, 'advanced', dropped) as JsonObject
      if ('excludedEnvVars' in value)
        advanced.excludedEnvVars = union(userSettings.advanced.excludedEnvVars, value.excludedEnvVars)
      kept.advanced = advanced
      continue
    }
    if (ENDPOINT_NAME.test(section)) drop(section, 'would choose where requests or credentials go')
    else kept[section] = withoutEndpoints(value, section, dropped)
  }
  return {kept, dropped}
}

function keepSandbox(
  value: JsonObject,
  userRaw: unknown,
  user: Settings,
  project: Settings,
  drop: (key: string, effect: string) => void,
): JsonObject {
  const out: JsonObject = {}
  const userNetwork = isPlainObject(userRaw) && 'network' in userRaw ? userRaw.network : user.sandbox.network
  for (const [key, child] of Object.entries(value)) {
    const at = `sandbox.${key}`
    if (key in SANDBOX_LIMITS) {
      const mine = (project.sandbox as Record<string, unknown>)[key]
      const theirs = (user.sandbox as Record<string, unknown>)[key]
      if (typeof mine === 'number' && typeof theirs === 'number' && mine > theirs) drop(at, SANDBOX_LIMITS[key]!)
      else out[key] = child
    } else if (key === 'env') {
      if (!isEmpty(child)) drop(at, 'would pass host variables into the sandbox')
    } else if (key === 'network') {
      if (networkIsTighterOrEqual(child, userNetwork)) out[key] = child
      else drop(at, 'would give the sandbox more network access')
    } else if (key === 'mount') {
      if (child === true && user.sandbox.mount !== true) drop(at, 'would mount the host project into the sandbox')
      else out[key] = child
    } else if (key === 'runtime' || key === 'image') {
      if (sameJson(child, (user.sandbox as Record<string, unknown>)[key])) out[key] = child
      else drop(at, key === 'runtime' ? 'would change the container runtime' : 'would change the sandbox image')
    } else if (key === 'exclude') {
      out[key] = union(user.sandbox.exclude, child)
    } else {
      // A sandbox key this version does not know could widen anything: only the user may set it.
      drop(at, 'is not known to only tighten the sandbox')
    }
  }
  return out
}

function keepTools(
  value: JsonObject,
  userRaw: unknown,
  user: Settings,
  drop: (key: string, effect: string) => void,
): JsonObject {
  const out: JsonObject = {}
  for (const [key, child] of Object.entries(value)) {
    const at = `tools.${key}`
    if (TOOLS_ADDS[key]) {
      if (!isEmpty(child)) drop(at, TOOLS_ADDS[key])
    } else if (key === 'approvalMode') {
      const mine = APPROVAL_RANK[String(child)] ?? Number.POSITIVE_INFINITY
      const theirs = APPROVAL_RANK[user.tools.approvalMode ?? 'default'] ?? 0
      if (mine > theirs) drop(at, `would raise approvals to ${String(child)}`)
      else out[key] = child
    } else if (key === 'core') {
      const userCore = user.tools.core
      const narrows =
        Array.isArray(child) && (userCore === undefined || child.every((entry) => userCore.includes(entry as string)))
      if (narrows) out[key] = child
      else drop(at, 'would enable tools your settings leave off')
    } else if (key === 'exclude') {
      out[key] = union(isPlainObject(userRaw) ? userRaw.exclude : undefined, child)
    } else if (ENDPOINT_NAME.test(key)) {
      drop(at, 'would choose where requests or credentials go')
    } else out[key] = child
  }
  return out
}
