// The auth seam as plugins see it: a provider can tell whether it is configured, log in and out, and build a ModelClient.
import type {ModelClient} from '../agent/model-client.js'

/**
 * What a provider may read when it decides or builds a client. Deliberately narrow and structural: the host's full
 * config (src/config) satisfies it, and tests can pass a literal.
 */
export interface AuthProviderConfig {
  /** Merged settings.json (user + project); unknown keys are kept, so a plugin reads its own section. */
  settings: Record<string, unknown>
  /** The environment after .env loading (variables already set in the process win). */
  env: Record<string, string | undefined>
  /** The model name the user asked for (flag, setting or variable), if any. */
  model?: string
  /**
   * The trust of each variable of `env` that came from a .env file: `user` (~/.qwen/.env, ~/.env), `trusted-folder`
   * or `untrusted-folder` (a project file in a folder the user has not trusted). Absent: the user's own environment
   * or a flag. A provider never sends credentials from the user's home to an endpoint from an untrusted folder; the
   * core already removes such endpoint variables (names ending in URL, URI, ENDPOINT, HOST, PROXY), except
   * OPENAI_BASE_URL, and every untrusted folder's settings that name an endpoint or a secret.
   */
  envTrust?: Readonly<Record<string, 'user' | 'trusted-folder' | 'untrusted-folder'>>
}

/** How a provider talks to the person logging in. Everything goes to stderr: stdout belongs to the product. */
export interface LoginIO {
  /** Writes one line for the user (stderr). */
  info(line: string): void
  /** True when a person is at a terminal (not CI, stdin is a TTY): browsers may be opened, prompts shown. */
  interactive: boolean
  signal: AbortSignal
}

/** What `agent auth status` prints for a provider. */
export interface AuthStatus {
  configured: boolean
  /** One line: what is configured (never a secret), or what to do. */
  detail: string
}

export interface AuthProvider {
  /** Stable id, used by `--provider` and settings (e.g. `openai`, `qwen-oauth`). Lowercase, digits and dashes. */
  readonly id: string
  /** One line for listings. */
  describe(): string
  /** Whether a run could use this provider now without asking the user anything. */
  isConfigured(config: AuthProviderConfig): boolean | Promise<boolean>
  /** Details for `agent auth status`; defaults to isConfigured when absent. */
  status?(config: AuthProviderConfig): Promise<AuthStatus>
  /** Interactive login (browser, device code, ...). Absent when the provider is configured by variables only. */
  login?(io: LoginIO, config: AuthProviderConfig): Promise<void>
  /** Forgets cached credentials. */
  logout?(config: AuthProviderConfig): Promise<void>
  /** A model client using this provider's credentials; throws AuthError (with a hint) when not configured. */
  client(config: AuthProviderConfig): Promise<ModelClient>
}
