// The providers a run may use (built-in and from plugins), and the rule that picks one, including the headless rule.
import {AuthError, UserInputError} from '../errors.js'
import type {ModelClient} from '../agent/model-client.js'
import {
  AUTH_TYPE_ALIASES,
  CONFIGURE_AUTH_HINT,
  type AuthConfig,
  type AuthProvider,
  type LoginIO,
} from './auth-provider.js'

export interface RegisteredAuthProvider {
  provider: AuthProvider
  /** The plugin (package name) that contributed it, or 'core'. */
  source: string
}

/** Why a provider was picked: asked for by name, the first one configured, or the headless fallback. */
export type AuthSelectionReason = 'requested' | 'first-configured' | 'headless-fallback'

export interface AuthSelection {
  provider: AuthProvider
  configured: boolean
  reason: AuthSelectionReason
}

export interface SelectOptions {
  /** A person is at a terminal: an unconfigured provider may log in instead of failing. */
  interactive: boolean
}

export interface ResolveOptions extends SelectOptions {
  /** Given (and interactive): an unconfigured provider with login() logs in first. */
  io?: LoginIO
}

export function missingCredentialsError(detail = 'No credentials for the model'): AuthError {
  return new AuthError(detail, {hint: CONFIGURE_AUTH_HINT})
}

export class AuthRegistry {
  readonly #providers = new Map<string, RegisteredAuthProvider>()

  /** Adds a provider; a second provider with the same id is refused (the first registration wins). */
  register(provider: AuthProvider, source = 'core'): this {
    const existing = this.#providers.get(provider.id)
    if (existing) {
      throw new UserInputError(
        `Auth provider "${provider.id}" from ${source} clashes with the one from ${existing.source}`,
        {
          hint: 'Uninstall one of the two plugins',
        },
      )
    }
    this.#providers.set(provider.id, {provider, source})
    return this
  }

  /** By id, or by a Qwen Code auth type that names it (`openai` -> `openai-compatible`). */
  get(idOrType: string): AuthProvider | undefined {
    const id = this.#providers.has(idOrType) ? idOrType : AUTH_TYPE_ALIASES[idOrType]
    return id === undefined ? undefined : this.#providers.get(id)?.provider
  }

  list(): RegisteredAuthProvider[] {
    return [...this.#providers.values()]
  }

  /**
   * Picks the provider for a run.
   * - `--auth` (must name a known provider) or settings `security.auth.selectedType` (ignored when unknown, since
   *   Qwen Code may store types we have no provider for) name one; it is used when configured, or when interactive
   *   (it can log in).
   * - Otherwise, and in a non-interactive run whose named provider is not configured, the first configured provider.
   * - Nothing configured and non-interactive: AuthError saying how to configure authentication.
   * Returns undefined only when interactive and nothing was asked for or configured (the caller offers a choice).
   */
  async select(config: AuthConfig, options: SelectOptions): Promise<AuthSelection | undefined> {
    const requestedName = config.flags?.auth ?? config.authType
    const requested = requestedName === undefined ? undefined : this.get(requestedName)
    if (requestedName !== undefined && !requested && config.flags?.auth !== undefined) {
      const known = this.list()
        .map(({provider}) => provider.id)
        .join(', ')
      throw new UserInputError(`Unknown authentication method "${requestedName}"`, {hint: `Use one of: ${known}`})
    }
    if (requested) {
      if (await requested.isConfigured(config)) return {provider: requested, configured: true, reason: 'requested'}
      if (options.interactive) return {provider: requested, configured: false, reason: 'requested'}
    }
    for (const {provider} of this.#providers.values()) {
      if (provider === requested) continue
      if (await provider.isConfigured(config)) {
        return {provider, configured: true, reason: requested ? 'headless-fallback' : 'first-configured'}
      }
    }
    if (options.interactive) return undefined
    // A provider with a login needs a terminal; one without (the OpenAI-compatible key) needs its variables, which the
    // hint names with where to put them.
    throw missingCredentialsError(
      requested === undefined
        ? undefined
        : requested.login
          ? `No credentials for the model: "${requested.id}" needs an interactive login`
          : `No credentials for the model: "${requested.id}" is not configured`,
    )
  }

  /** select(), then login when interactive and possible, then the provider's ModelClient. */
  async resolveClient(config: AuthConfig, options: ResolveOptions): Promise<ModelClient> {
    const selection = await this.select(config, options)
    if (!selection) throw missingCredentialsError()
    const {provider} = selection
    if (!selection.configured) {
      if (!provider.login || !options.io) throw missingCredentialsError(`No credentials for "${provider.id}"`)
      await provider.login(options.io, config)
    }
    return provider.client(config)
  }
}
