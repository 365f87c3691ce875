// The auth seam inside the host: the provider interface is the plugin kit's (one definition), plus names for auth types.
export type {AuthProvider, AuthProviderConfig, AuthStatus, LoginIO} from '../plugin-kit/auth-provider.js'
import type {Logger} from '../logging/logger.js'

/** The host's config as auth sees it: the plugin-kit view plus where values came from and what was asked for. */
export interface AuthConfig {
  settings: Record<string, unknown>
  env: Readonly<Record<string, string | undefined>>
  model?: string | undefined
  /** `--auth` or settings `security.auth.selectedType`. */
  authType?: string | undefined
  /** Where non-environment variables came from (`flag --x` or a .env path); see AgentConfig.envSources. */
  envSources?: Readonly<Record<string, string>>
  /** The trust of each variable from a .env file; see AgentConfig.envTrust. */
  envTrust?: Readonly<Record<string, 'user' | 'trusted-folder' | 'untrusted-folder'>>
  flags?: Readonly<{auth?: string}>
  modelTimeoutMs?: number | undefined
  modelMaxRetries?: number | undefined
  /** Where the built-in client logs retries and request failures (the run's log file). */
  logger?: Logger | undefined
}

/** Qwen Code's stored auth types that name one of our providers by another name. */
export const AUTH_TYPE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  openai: 'openai-compatible',
  'openai-api-key': 'openai-compatible',
})

/** The one line a run without credentials ends with, in a form the user can act on. */
export const CONFIGURE_AUTH_HINT =
  'Set OPENAI_API_KEY (and OPENAI_BASE_URL/OPENAI_MODEL) in the environment or in .qwen/.env, or log in with `agent auth login`'
