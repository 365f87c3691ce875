// What the `agent auth *` commands share: config + registry loading, picking a provider, and the login IO.
import os from 'node:os'

import type {AuthRegistry} from '../auth/auth-registry.js'
import {loadConfig, type AgentConfig} from '../config/load-config.js'
import {UserInputError} from '../errors.js'
import type {AuthProvider, LoginIO} from '../plugin-kit/auth-provider.js'
import type {HookRunner} from './load-contributions.js'
import {loadAuthRegistry} from './plugin-registries.js'

export interface AuthCommandContext {
  config: AgentConfig
  registry: AuthRegistry
}

export async function loadAuthContext(hooks: HookRunner): Promise<AuthCommandContext> {
  const config = loadConfig({cwd: process.cwd(), home: os.homedir(), env: process.env})
  return {config, registry: await loadAuthRegistry(hooks, config)}
}

/**
 * The provider named by --provider; without it, the one provider that can do `capability`, or the one asked for in
 * settings (security.auth.selectedType). Unknown or ambiguous names are user errors listing the choices.
 */
export function pickProvider(
  {config, registry}: AuthCommandContext,
  name: string | undefined,
  capability?: 'login' | 'logout',
): AuthProvider {
  const all = registry.list().map(({provider}) => provider)
  const ids = all.map((provider) => provider.id).join(', ')
  if (name !== undefined) {
    const provider = registry.get(name)
    if (!provider) throw new UserInputError(`Unknown auth provider "${name}"`, {hint: `Use one of: ${ids}`})
    return provider
  }
  const capable = capability ? all.filter((provider) => provider[capability] !== undefined) : all
  const preferred = config.authType === undefined ? undefined : registry.get(config.authType)
  if (preferred && capable.includes(preferred)) return preferred
  if (capable.length === 1) return capable[0]!
  if (capable.length === 0) {
    throw new UserInputError(`No installed auth provider supports ${capability ?? 'this'}`, {
      hint: 'Install one with `agent plugins install <package>`, or set OPENAI_API_KEY for the built-in provider',
    })
  }
  throw new UserInputError('More than one auth provider could be meant', {
    hint: `Choose one with --provider: ${capable.map((provider) => provider.id).join(', ')}`,
  })
}

/** Login output goes to stderr; a person is present when stdin is a TTY and CI is not set. */
export function terminalLoginIO(signal: AbortSignal): LoginIO {
  const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'
  return {
    info: (line) => process.stderr.write(`${line}\n`),
    interactive: Boolean(process.stdin.isTTY) && !ci,
    signal,
  }
}
