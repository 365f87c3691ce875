// A valid access token on demand: cached while fresh, refreshed shortly before expiry under a cross-process lock.
import {AuthError} from 'sandboxed-agent/plugin'

import {credentialsFromTokenResponse, type CredentialsStore, type QwenCredentials} from './credentials.js'
import {describeOAuthError, postForm, type FetchLike} from './oauth-http.js'
import type {QwenOAuthSettings} from './oauth-settings.js'
import {withFileLock, type LockOptions} from './refresh-lock.js'

/** Refresh when less than this is left, so a request never starts with a token about to die. */
export const REFRESH_MARGIN_MS = 5 * 60_000
const LOGIN_HINT = 'Log in again with `agent auth login --provider qwen-oauth`'

export interface TokenManagerDeps {
  store: CredentialsStore
  fetch: FetchLike
  now: () => number
  lock?: LockOptions
  refreshMarginMs?: number
}

export async function validCredentials(settings: QwenOAuthSettings, deps: TokenManagerDeps): Promise<QwenCredentials> {
  const margin = deps.refreshMarginMs ?? REFRESH_MARGIN_MS
  const cached = await deps.store.read()
  if (!cached)
    throw new AuthError('Not logged in with Qwen OAuth', {hint: 'Run `agent auth login --provider qwen-oauth`'})
  if (cached.expiry_date - deps.now() > margin) return cached
  return withFileLock(
    `${deps.store.file}.lock`,
    async () => {
      // Another process may have refreshed while this one waited for the lock: use its result.
      const current = await deps.store.read()
      if (!current)
        throw new AuthError('Not logged in with Qwen OAuth', {hint: 'Run `agent auth login --provider qwen-oauth`'})
      if (current.expiry_date - deps.now() > margin) return current
      return refresh(settings, deps, current)
    },
    deps.lock,
  )
}

async function refresh(
  settings: QwenOAuthSettings,
  deps: TokenManagerDeps,
  current: QwenCredentials,
): Promise<QwenCredentials> {
  if (!current.refresh_token) {
    await deps.store.clear()
    throw new AuthError('The Qwen OAuth session has expired and cannot be renewed', {hint: LOGIN_HINT})
  }
  const {status, body} = await postForm(deps.fetch, settings.tokenEndpoint, {
    grant_type: 'refresh_token',
    refresh_token: current.refresh_token,
    client_id: settings.clientId,
  })
  if (status < 400 && typeof body.access_token === 'string') {
    const next = credentialsFromTokenResponse(body, deps.now(), current)
    await deps.store.write(next)
    return next
  }
  // A dead refresh token (invalid_grant, or the server refusing the client outright) will never work again; but only
  // an endpoint the user chose may say so: one a project chose would answer "invalid" to wipe the login.
  const dead = body.error === 'invalid_grant' || body.error === 'invalid_token' || status === 401
  if (dead && !settings.tokenEndpointChosenByUser) {
    throw new AuthError(
      `Qwen OAuth: ${settings.tokenEndpoint} refused the refresh (${describeOAuthError(body, status)}); the cached login is kept, since you did not choose that endpoint`,
      {
        hint: 'Unset QWEN_OAUTH_TOKEN_ENDPOINT in the project, or log in again with `agent auth login --provider qwen-oauth`',
      },
    )
  }
  if (dead) {
    await deps.store.clear()
    throw new AuthError('The Qwen OAuth session has expired or was revoked; the cached credentials were removed', {
      hint: LOGIN_HINT,
    })
  }
  throw new AuthError(`Qwen OAuth: refreshing the token failed (${describeOAuthError(body, status)})`, {
    hint: 'Try again in a moment; if it persists, log in again with `agent auth login --provider qwen-oauth`',
  })
}
