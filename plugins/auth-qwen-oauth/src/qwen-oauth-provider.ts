// The qwen-oauth auth provider: device-flow login, cached credentials, and a model client that refreshes its token.
import os from 'node:os'

import {
  createOpenAICompatibleClient,
  defineAuthProvider,
  type AuthProvider,
  type AuthProviderConfig,
  type ModelClient,
} from 'sandboxed-agent/plugin'

import {CredentialsStore, type QwenCredentials} from './lib/credentials.js'
import {abortableSleep, runDeviceFlow, type DeviceAuthorization} from './lib/device-flow.js'
import type {FetchLike} from './lib/oauth-http.js'
import {credentialsPath, resolveOAuthSettings} from './lib/oauth-settings.js'
import {canLaunchBrowser, openInBrowser, type BrowserOpener} from './lib/open-browser.js'
import type {LockOptions} from './lib/refresh-lock.js'
import {validCredentials} from './lib/token-manager.js'

export const QWEN_OAUTH_ID = 'qwen-oauth'

export interface QwenOAuthProviderOptions {
  /** Home directory holding .qwen/oauth_creds.json. */
  home?: string
  fetch?: FetchLike
  now?: () => number
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  openBrowser?: BrowserOpener
  /** Whether a browser may be launched (default: a desktop session and not CI). */
  browserAvailable?: () => boolean
  lock?: LockOptions
}

export function createQwenOAuthProvider(options: QwenOAuthProviderOptions = {}): AuthProvider {
  const store = new CredentialsStore(credentialsPath(options.home ?? os.homedir()))
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init))
  const now = options.now ?? Date.now
  const deps = {store, fetch: fetchImpl, now, ...(options.lock ? {lock: options.lock} : {})}

  return defineAuthProvider({
    id: QWEN_OAUTH_ID,
    describe: () => 'Qwen OAuth: log in with a qwen.ai account (device code in the browser; free tier)',

    async isConfigured() {
      const credentials = await store.read()
      return credentials !== undefined && (credentials.refresh_token !== undefined || credentials.expiry_date > now())
    },

    async status() {
      const credentials = await store.read()
      if (!credentials) return {configured: false, detail: 'not logged in (agent auth login --provider qwen-oauth)'}
      const left = credentials.expiry_date - now()
      const token = left > 0 ? `access token valid for ${Math.round(left / 60_000)} min` : 'access token expired'
      const renew = credentials.refresh_token ? 'renewable' : 'not renewable'
      return {
        configured: credentials.refresh_token !== undefined || left > 0,
        detail: `logged in, ${token}, ${renew} (${store.file})`,
      }
    },

    async login(io, config) {
      const settings = resolveOAuthSettings(config)
      const credentials = await runDeviceFlow(
        settings,
        {
          signal: io.signal,
          onAuthorization: async (authorization: DeviceAuthorization) => {
            const url = authorization.verificationUriComplete ?? authorization.verificationUri
            const browser = io.interactive && (options.browserAvailable ?? canLaunchBrowser)()
            const opened = browser ? await (options.openBrowser ?? openInBrowser)(url) : false
            io.info(
              opened
                ? 'Qwen OAuth: a browser window was opened to log in. If it did not appear, visit:'
                : 'Qwen OAuth: to log in, visit:',
            )
            io.info(`  ${url}`)
            io.info(`and confirm the code: ${authorization.userCode}`)
            io.info(`Waiting for authorization (expires in ${Math.round(authorization.expiresInMs / 60_000)} min)...`)
          },
        },
        {fetch: fetchImpl, now, sleep: options.sleep ?? abortableSleep},
      )
      await store.write(credentials)
    },

    async logout() {
      await store.clear()
    },

    async client(config: AuthProviderConfig): Promise<ModelClient> {
      const settings = resolveOAuthSettings(config)
      const first = await validCredentials(settings, deps)
      const model = config.model ?? settings.defaultModel
      let current: {token: string; client: ModelClient} | undefined
      const clientFor = (credentials: QwenCredentials): ModelClient => {
        if (current?.token !== credentials.access_token) {
          current = {
            token: credentials.access_token,
            client: createOpenAICompatibleClient({
              apiKey: credentials.access_token,
              baseURL: endpointFor(credentials.resource_url, settings.defaultBaseURL),
              model,
            }),
          }
        }
        return current.client
      }
      clientFor(first)
      return {
        model,
        // Each turn checks the token first: a long run outlives an access token, and the refresh happens in between.
        async *stream(request, signal) {
          const credentials = await validCredentials(settings, deps)
          yield* clientFor(credentials).stream(request, signal)
        },
      }
    },
  })
}

/** `portal.qwen.ai` -> `https://portal.qwen.ai/v1`; full URLs are kept (with /v1 added when missing). */
export function endpointFor(resourceUrl: string | undefined, fallback: string): string {
  if (!resourceUrl) return fallback
  const withScheme = /^https?:\/\//i.test(resourceUrl) ? resourceUrl : `https://${resourceUrl}`
  const trimmed = withScheme.replace(/\/+$/, '')
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`
}
