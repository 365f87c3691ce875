// The built-in provider for any OpenAI-compatible endpoint: OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL (flags override).
import {AuthError} from '../errors.js'
import {assertCredentialRoute} from '../trust/credential-route.js'
import type {SourceTrust} from '../trust/trust-level.js'
import type {AuthConfig, AuthProvider, AuthStatus} from './auth-provider.js'
import {CONFIGURE_AUTH_HINT} from './auth-provider.js'

export const OPENAI_COMPATIBLE_ID = 'openai-compatible'

/** Qwen Code's default model for this method, used when no flag, variable or setting names one. */
export const DEFAULT_OPENAI_MODEL = 'qwen3-coder-plus'

export interface OpenAICredentials {
  apiKey: string | undefined
  baseURL: string | undefined
  model: string
  /** Where the key came from, for people: never the key itself. */
  apiKeySource: string | undefined
  baseURLSource: string | undefined
  modelSource: string
  /** Trust of the key's and the endpoint's sources (a .env file's folder, else the user's). */
  apiKeyTrust: SourceTrust
  baseURLTrust: SourceTrust
}

function section(value: unknown, key: string): Record<string, unknown> {
  const child = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined
  return child !== null && typeof child === 'object' ? (child as Record<string, unknown>) : {}
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

function variableSource(config: AuthConfig, name: string): string {
  const from = config.envSources?.[name]
  if (from === undefined) return `environment variable ${name}`
  return from.startsWith('flag ') ? from : `${name} in ${from}`
}

/**
 * Key, endpoint and model, each from the first place that has it: variables (which already include flags and the
 * .env file), then settings `security.auth.apiKey` / `security.auth.baseUrl` / `model.name`.
 */
export function resolveOpenAICredentials(config: AuthConfig): OpenAICredentials {
  const auth = section(section(config.settings, 'security'), 'auth')
  const envKey = text(config.env.OPENAI_API_KEY)
  const settingsKey = text(auth.apiKey)
  const envURL = text(config.env.OPENAI_BASE_URL)
  const settingsURL = text(auth.baseUrl)
  const requested = text(config.model)
  const envModel = text(config.env.OPENAI_MODEL)
  const settingsModel = text(section(config.settings, 'model').name)
  let modelSource = 'default'
  if (requested !== undefined && requested === envModel) modelSource = variableSource(config, 'OPENAI_MODEL')
  else if (requested !== undefined) modelSource = requested === settingsModel ? 'settings model.name' : 'requested'
  else if (envModel !== undefined) modelSource = variableSource(config, 'OPENAI_MODEL')
  else if (settingsModel !== undefined) modelSource = 'settings model.name'
  return {
    apiKey: envKey ?? settingsKey,
    baseURL: envURL ?? settingsURL,
    model: requested ?? envModel ?? settingsModel ?? DEFAULT_OPENAI_MODEL,
    apiKeySource: envKey
      ? variableSource(config, 'OPENAI_API_KEY')
      : settingsKey
        ? 'settings security.auth.apiKey'
        : undefined,
    baseURLSource: envURL
      ? variableSource(config, 'OPENAI_BASE_URL')
      : settingsURL
        ? 'settings security.auth.baseUrl'
        : undefined,
    modelSource,
    apiKeyTrust: envKey ? trustOf(config, 'OPENAI_API_KEY') : 'user',
    baseURLTrust: envURL ? trustOf(config, 'OPENAI_BASE_URL') : 'user',
  }
}

/** A variable's trust: its .env file's, or the user's for the environment and flags. */
function trustOf(config: AuthConfig, name: string): SourceTrust {
  const from = config.envSources?.[name]
  return from !== undefined && !from.startsWith('flag ') ? (config.envTrust?.[name] ?? 'user') : 'user'
}

/** Refuses (AuthError) to send a key to an endpoint a less trusted source chose; see src/trust/credential-route.ts. */
export function assertOpenAIRoute(creds: OpenAICredentials): void {
  if (!creds.apiKey || !creds.baseURL) return
  assertCredentialRoute({
    credential: 'OPENAI_API_KEY',
    credentialTrust: creds.apiKeyTrust,
    credentialSource: creds.apiKeySource ?? 'settings',
    endpoint: creds.baseURL,
    endpointTrust: creds.baseURLTrust,
    endpointSource: creds.baseURLSource?.replace(/^OPENAI_BASE_URL in /, '') ?? 'settings',
    endpointName: 'OPENAI_BASE_URL (or security.auth.baseUrl)',
  })
}

export const openAICompatibleProvider: AuthProvider & {
  isConfigured(config: AuthConfig): boolean
  status(config: AuthConfig): Promise<AuthStatus>
} = {
  id: OPENAI_COMPATIBLE_ID,
  describe: () => 'OpenAI-compatible API key (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL)',
  isConfigured: (config: AuthConfig) => resolveOpenAICredentials(config).apiKey !== undefined,
  async status(config: AuthConfig): Promise<AuthStatus> {
    const creds = resolveOpenAICredentials(config)
    if (!creds.apiKey) return {configured: false, detail: `OPENAI_API_KEY is not set. ${CONFIGURE_AUTH_HINT}`}
    try {
      assertOpenAIRoute(creds)
    } catch (error) {
      return {configured: false, detail: (error as AuthError).oneLine()}
    }
    const endpoint = creds.baseURL ?? 'https://api.openai.com/v1 (SDK default)'
    return {configured: true, detail: `key from ${creds.apiKeySource}; endpoint ${endpoint}; model ${creds.model}`}
  },
  async client(config: AuthConfig) {
    const creds = resolveOpenAICredentials(config)
    if (!creds.apiKey) throw new AuthError('OPENAI_API_KEY is not set', {hint: CONFIGURE_AUTH_HINT})
    assertOpenAIRoute(creds)
    // Loaded on first use: the openai SDK is the heaviest import and most commands never need it.
    const {createOpenAIModelClient} = await import('../agent/openai-model-client.js')
    return createOpenAIModelClient({
      apiKey: creds.apiKey,
      model: creds.model,
      ...(creds.baseURL ? {baseURL: creds.baseURL} : {}),
      ...(config.modelTimeoutMs !== undefined ? {timeoutMs: config.modelTimeoutMs} : {}),
      ...(config.modelMaxRetries !== undefined ? {maxRetries: config.modelMaxRetries} : {}),
      ...(config.logger ? {logger: config.logger} : {}),
    })
  },
}
