// The OAuth 2.0 device authorization grant (RFC 8628) with PKCE: ask for a code, show it, poll until the user decides.
import {AuthError} from 'sandboxed-agent/plugin'

import {credentialsFromTokenResponse, type QwenCredentials} from './credentials.js'
import {describeOAuthError, postForm, type FetchLike} from './oauth-http.js'
import type {QwenOAuthSettings} from './oauth-settings.js'
import {createPkcePair} from './pkce.js'

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** RFC 8628 §3.5: on slow_down the interval grows by 5 seconds. */
export const SLOW_DOWN_STEP_MS = 5_000
const LOGIN_HINT = 'Run `agent auth login --provider qwen-oauth` to try again'

export interface DeviceAuthorization {
  deviceCode: string
  userCode: string
  verificationUri: string
  /** The URI with the code filled in, when the server offers one. */
  verificationUriComplete: string | undefined
  expiresInMs: number
  intervalMs: number
}

export interface DeviceFlowDeps {
  fetch: FetchLike
  now: () => number
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
}

export interface DeviceFlowHandlers {
  /** Called once the code is known: show it, open a browser. */
  onAuthorization(authorization: DeviceAuthorization): void | Promise<void>
  signal: AbortSignal
}

export async function runDeviceFlow(
  settings: QwenOAuthSettings,
  handlers: DeviceFlowHandlers,
  deps: DeviceFlowDeps,
): Promise<QwenCredentials> {
  const pkce = createPkcePair()
  const started = deps.now()
  const {status, body} = await postForm(
    deps.fetch,
    settings.deviceCodeEndpoint,
    {
      client_id: settings.clientId,
      scope: settings.scope,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    },
    handlers.signal,
  )
  if (status >= 400 || typeof body.device_code !== 'string' || typeof body.user_code !== 'string') {
    throw new AuthError(`Qwen OAuth: the device authorization request failed (${describeOAuthError(body, status)})`, {
      hint: LOGIN_HINT,
    })
  }
  const authorization: DeviceAuthorization = {
    deviceCode: body.device_code,
    userCode: body.user_code,
    verificationUri: String(body.verification_uri ?? body.verification_uri_complete ?? ''),
    verificationUriComplete:
      typeof body.verification_uri_complete === 'string' ? body.verification_uri_complete : undefined,
    expiresInMs: Number(body.expires_in ?? 600) * 1000,
    intervalMs: Math.max(1, Number(body.interval ?? 5)) * 1000,
  }
  await handlers.onAuthorization(authorization)

  const deadline = started + authorization.expiresInMs
  let interval = authorization.intervalMs
  for (;;) {
    if (deps.now() + interval > deadline) {
      throw new AuthError('Qwen OAuth: the device code expired before the login was completed', {hint: LOGIN_HINT})
    }
    await deps.sleep(interval, handlers.signal)
    const reply = await postForm(
      deps.fetch,
      settings.tokenEndpoint,
      {
        grant_type: DEVICE_CODE_GRANT,
        client_id: settings.clientId,
        device_code: authorization.deviceCode,
        code_verifier: pkce.verifier,
      },
      handlers.signal,
    )
    if (reply.status < 400 && typeof reply.body.access_token === 'string') {
      return credentialsFromTokenResponse(reply.body, deps.now())
    }
    switch (reply.body.error) {
      case 'authorization_pending':
        continue
      case 'slow_down':
        interval += SLOW_DOWN_STEP_MS
        continue
      case 'access_denied':
        throw new AuthError('Qwen OAuth: the login was denied in the browser', {hint: LOGIN_HINT})
      case 'expired_token':
        throw new AuthError('Qwen OAuth: the device code expired before the login was completed', {hint: LOGIN_HINT})
      default:
        throw new AuthError(`Qwen OAuth: the token request failed (${describeOAuthError(reply.body, reply.status)})`, {
          hint: LOGIN_HINT,
        })
    }
  }
}

/** Waits, or rejects as soon as the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'))
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason ?? new Error('aborted'))
    }
    signal.addEventListener('abort', onAbort, {once: true})
  })
}
