// Where the Qwen OAuth flow talks to and what it asks for: Qwen's public defaults, overridable by settings or variables.
import path from 'node:path'

import type {AuthProviderConfig} from 'sandboxed-agent/plugin'

/** Public constants of Qwen's OAuth client, as used by Qwen Code. */
export const QWEN_OAUTH_DEFAULTS = {
  deviceCodeEndpoint: 'https://chat.qwen.ai/api/v1/oauth2/device/code',
  tokenEndpoint: 'https://chat.qwen.ai/api/v1/oauth2/token',
  clientId: 'f0304373b74a44d2b584a3fb70ca9e56',
  scope: 'openid profile email model.completion',
  /** Used when the token response names no resource_url. */
  defaultBaseURL: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  defaultModel: 'qwen3-coder-plus',
} as const

export interface QwenOAuthSettings {
  deviceCodeEndpoint: string
  tokenEndpoint: string
  clientId: string
  scope: string
  defaultBaseURL: string
  defaultModel: string
  /**
   * Whether the token endpoint is Qwen's default or the user's own choice (their environment or settings). Only then
   * may a refused refresh delete the cached login: an endpoint a project chose could answer "invalid" on purpose.
   */
  tokenEndpointChosenByUser: boolean
}

const VARIABLES: Record<Exclude<keyof QwenOAuthSettings, 'tokenEndpointChosenByUser'>, string> = {
  deviceCodeEndpoint: 'QWEN_OAUTH_DEVICE_CODE_ENDPOINT',
  tokenEndpoint: 'QWEN_OAUTH_TOKEN_ENDPOINT',
  clientId: 'QWEN_OAUTH_CLIENT_ID',
  scope: 'QWEN_OAUTH_SCOPE',
  defaultBaseURL: 'QWEN_OAUTH_DEFAULT_BASE_URL',
  defaultModel: 'QWEN_OAUTH_DEFAULT_MODEL',
}

/**
 * Each value from the first place that has it: variable (QWEN_OAUTH_TOKEN_ENDPOINT, ...), then settings.json
 * `security.auth.qwenOAuth.<key>`, then Qwen's default. A variable from a folder the user has not trusted is never
 * used: the refresh token from the user's home must not go where a repository points it (the core removes such
 * variables too; this holds even where it would not).
 */
export function resolveOAuthSettings(
  config: Pick<AuthProviderConfig, 'settings' | 'env' | 'envTrust'> | undefined,
): QwenOAuthSettings {
  const section = child(child(child(config?.settings, 'security'), 'auth'), 'qwenOAuth')
  const result: QwenOAuthSettings = {...QWEN_OAUTH_DEFAULTS, tokenEndpointChosenByUser: true}
  for (const key of Object.keys(VARIABLES) as (keyof typeof VARIABLES)[]) {
    const name = VARIABLES[key]
    const trust = config?.envTrust?.[name] ?? 'user'
    const fromEnv = trust === 'untrusted-folder' ? undefined : config?.env[name]
    const fromSettings = section[key]
    if (typeof fromEnv === 'string' && fromEnv.trim() !== '') {
      result[key] = fromEnv.trim()
      if (key === 'tokenEndpoint') result.tokenEndpointChosenByUser = trust === 'user'
    } else if (typeof fromSettings === 'string' && fromSettings.trim() !== '') result[key] = fromSettings.trim()
  }
  return result
}

/** ~/.qwen/oauth_creds.json: the same file Qwen Code uses, so a login in either works for both. */
export function credentialsPath(home: string): string {
  return path.join(home, '.qwen', 'oauth_creds.json')
}

function child(value: unknown, key: string): Record<string, unknown> {
  const next = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined
  return next !== null && typeof next === 'object' ? (next as Record<string, unknown>) : {}
}
