// sandbox.network: "none", "bridge" or {"allow": [...]}; allow entries parsed and presets expanded; which setting is wider.
import {z} from 'zod'

/** One allowed destination: an exact host (or IPv4 address), or every subdomain of a suffix (`*.example.org`). */
export interface AllowRule {
  host: string
  /** True for `*.host`: matches subdomains of `host`, not `host` itself. */
  wildcard: boolean
  ports: number[]
}

export type NetworkSetting = 'none' | 'bridge' | {allow: string[]}

/** Ports an entry without one allows. */
export const DEFAULT_PORTS = [80, 443]

/** The public hosts of each preset (ports 80 and 443). */
export const NETWORK_PRESETS: Readonly<Record<string, readonly string[]>> = {
  '@npm': ['registry.npmjs.org', 'registry.yarnpkg.com'],
  '@pypi': ['pypi.org', 'files.pythonhosted.org'],
  '@github': [
    'github.com',
    '*.github.com',
    'codeload.github.com',
    'objects.githubusercontent.com',
    'raw.githubusercontent.com',
    '*.githubusercontent.com',
  ],
  '@debian': ['deb.debian.org', 'security.debian.org', 'snapshot.debian.org'],
}

const WHAT = 'a host, *.suffix, host:port or a preset (@npm, @pypi, @github, @debian)'
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

export type EntryParse = {ok: true; rules: AllowRule[]} | {ok: false; problem: string}

/** Parses one allow entry into rules (a preset gives several); `problem` says in a phrase what is wrong with it. */
export function parseAllowEntry(entry: string): EntryParse {
  const text = entry.trim().toLowerCase()
  if (text === '') return {ok: false, problem: `${WHAT}, not an empty string`}
  if (text.startsWith('@')) {
    const preset = NETWORK_PRESETS[text]
    if (!preset) return {ok: false, problem: `a known preset (@npm, @pypi, @github, @debian), not ${text}`}
    return {ok: true, rules: preset.map((host) => ruleFrom(host, DEFAULT_PORTS))}
  }
  if (text.includes('://')) {
    const host = text.split('://')[1]?.split(/[/?#]/)[0] ?? ''
    return {ok: false, problem: `${WHAT}, not a URL${host ? ` (write "${host}")` : ''}`}
  }
  if (/^[\d.]+\/\d+$/.test(text) || text.includes('/'))
    return {ok: false, problem: `${WHAT}, not an address range or a path`}
  if (text.includes('[') || (text.match(/:/g) ?? []).length > 1)
    return {ok: false, problem: `${WHAT}, not an IPv6 address (the proxy reaches IPv4 only)`}
  const [hostPart = '', portPart] = text.split(':')
  let ports = DEFAULT_PORTS
  if (portPart !== undefined) {
    const port = Number(portPart)
    if (!/^\d{1,5}$/.test(portPart) || port < 1 || port > 65_535)
      return {ok: false, problem: `${WHAT}, with a port from 1 to 65535`}
    ports = [port]
  }
  const wildcard = hostPart.startsWith('*.')
  const host = wildcard ? hostPart.slice(2) : hostPart
  const ip = IPV4.exec(host)
  if (ip) {
    if (wildcard || ip.slice(1).some((part) => Number(part) > 255)) return {ok: false, problem: `${WHAT}`}
    return {ok: true, rules: [ruleFrom(host, ports)]}
  }
  if (host.includes('*')) return {ok: false, problem: `${WHAT}; a wildcard only as a leading "*."`}
  const labels = host.split('.')
  if (host.length > 253 || !labels.every((label) => LABEL.test(label)))
    return {ok: false, problem: `${WHAT}; "${hostPart}" is not a host name`}
  if (wildcard && labels.length < 2) return {ok: false, problem: `${WHAT}; a wildcard needs a suffix of two labels`}
  return {ok: true, rules: [{host, wildcard, ports}]}
}

function ruleFrom(entry: string, ports: readonly number[]): AllowRule {
  const wildcard = entry.startsWith('*.')
  return {host: wildcard ? entry.slice(2) : entry, wildcard, ports: [...ports]}
}

/** Every rule of a setting's allow list (presets expanded); none for "none", and undefined for "bridge" (all). */
export function allowRules(setting: NetworkSetting): AllowRule[] | undefined {
  if (setting === 'bridge') return undefined
  if (setting === 'none') return []
  return setting.allow.flatMap((entry) => {
    const parsed = parseAllowEntry(entry)
    return parsed.ok ? parsed.rules : []
  })
}

/** Whether `host:port` (host lower-case, no trailing dot) is allowed by a rule; returns that rule. */
export function findAllowRule(rules: readonly AllowRule[], host: string, port: number): AllowRule | undefined {
  return rules.find((rule) => rule.ports.includes(port) && hostMatches(rule, host))
}

function hostMatches(rule: AllowRule, host: string): boolean {
  return rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host
}

/** Whether every destination `inner` allows is allowed by `outer`. */
function ruleCovered(outer: readonly AllowRule[], inner: AllowRule): boolean {
  return inner.ports.every((port) =>
    outer.some((rule) => {
      if (!rule.ports.includes(port)) return false
      if (!inner.wildcard) return hostMatches(rule, inner.host)
      // *.a.b is inside *.b and inside *.a.b; never inside an exact host.
      return rule.wildcard && (inner.host === rule.host || inner.host.endsWith(`.${rule.host}`))
    }),
  )
}

/**
 * True when `candidate` lets the sandbox reach something `base` does not (none < an allow list < bridge). The trust
 * merge uses it: a setting from an untrusted folder may narrow the network, never widen it.
 */
export function isNetworkWider(base: NetworkSetting, candidate: NetworkSetting): boolean {
  const baseRules = allowRules(base)
  const candidateRules = allowRules(candidate)
  if (candidateRules === undefined) return baseRules !== undefined
  if (baseRules === undefined) return false
  return !candidateRules.every((rule) => ruleCovered(baseRules, rule))
}

/** The setting with extra hosts (e.g. from `--allow-host`) added: "none" becomes a list; "bridge" already has all. */
export function withAllowedHosts(setting: NetworkSetting, hosts: readonly string[]): NetworkSetting {
  if (hosts.length === 0 || setting === 'bridge') return setting
  const current = setting === 'none' ? [] : setting.allow
  const added = hosts.filter((host) => !current.includes(host))
  // The same object when nothing is added, so callers can tell whether anything was.
  return added.length === 0 && setting !== 'none' ? setting : {allow: [...current, ...added]}
}

/** One line for people: `none`, `bridge (everything)`, or `allow: a, *.b:8443, @npm`. */
export function describeNetwork(setting: NetworkSetting): string {
  if (setting === 'none') return 'none (no network)'
  if (setting === 'bridge') return 'bridge (everything)'
  return setting.allow.length === 0 ? 'allow: (nothing)' : `allow: ${setting.allow.join(', ')}`
}

/** The zod schema of sandbox.network; a bad entry is one issue at its index (`sandbox.network.allow[2]`). */
export const networkSettingSchema = z.unknown().transform((value, ctx): NetworkSetting => {
  const expected = 'expected "none", "bridge" or {"allow": [hosts]}'
  if (value === 'none' || value === 'bridge') return value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({code: 'custom', message: expected})
    return z.NEVER
  }
  const {allow, ...rest} = value as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length > 0) {
    ctx.addIssue({code: 'custom', message: `expected only "allow" (unknown key "${extra[0]}")`, path: [extra[0]!]})
    return z.NEVER
  }
  if (!Array.isArray(allow)) {
    ctx.addIssue({code: 'custom', message: 'expected a list of hosts', path: ['allow']})
    return z.NEVER
  }
  for (const [index, entry] of allow.entries()) {
    const parsed = typeof entry === 'string' ? parseAllowEntry(entry) : {ok: false as const, problem: WHAT}
    if (!parsed.ok) {
      ctx.addIssue({code: 'custom', message: `expected ${parsed.problem}`, path: ['allow', index]})
      return z.NEVER
    }
  }
  return {allow: (allow as string[]).map((entry) => entry.trim().toLowerCase())}
})
