// What `agent doctor` and `agent auth status` say about authentication: which provider, configured or not, and from where.
import type {AuthConfig} from './auth-provider.js'
import type {AuthRegistry} from './auth-registry.js'

export interface ProviderStatus {
  id: string
  description: string
  configured: boolean
  /** One line, never a secret. */
  detail: string
}

export interface AuthStatusReport {
  /** True when a non-interactive run would find credentials. */
  configured: boolean
  /** The provider a non-interactive run would use, if any. */
  provider: string | undefined
  /** One line for people: the provider and where its credentials come from, or what to do. */
  summary: string
  providers: ProviderStatus[]
}

/** Asks every provider, then applies the same selection a non-interactive run would. Never prints a key. */
export async function authStatus(config: AuthConfig, registry: AuthRegistry): Promise<AuthStatusReport> {
  const providers: ProviderStatus[] = []
  for (const {provider} of registry.list()) {
    let configured: boolean
    let detail: string
    if (provider.status) {
      ;({configured, detail} = await provider.status(config))
    } else {
      configured = await provider.isConfigured(config)
      detail = configured ? 'configured' : 'not configured'
    }
    providers.push({id: provider.id, description: provider.describe(), configured, detail})
  }
  try {
    const selection = await registry.select(config, {interactive: false})
    const chosen = providers.find((p) => p.id === selection?.provider.id)
    if (!selection || !chosen) throw new Error('no provider')
    const fallback =
      selection.reason === 'headless-fallback'
        ? ` (used instead of "${config.flags?.auth ?? config.authType}" without a TTY)`
        : ''
    return {configured: true, provider: chosen.id, summary: `${chosen.id}: ${chosen.detail}${fallback}`, providers}
  } catch (error) {
    const line = error instanceof Error && 'oneLine' in error ? (error as {oneLine(): string}).oneLine() : String(error)
    return {configured: false, provider: undefined, summary: line, providers}
  }
}
