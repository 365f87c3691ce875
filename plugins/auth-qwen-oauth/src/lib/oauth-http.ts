// One form-encoded POST to an OAuth endpoint, answering with the JSON body whatever the status (errors are data here).
import {AuthError} from 'sandboxed-agent/plugin'

export interface OAuthResponse {
  status: number
  body: Record<string, unknown>
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

/** An OAuth server that accepts the connection and never answers must not hang a run (or a login) for ever. */
export const OAUTH_REQUEST_TIMEOUT_MS = 30_000

const REACH_HINT = 'Check the network connection, or the Qwen OAuth endpoint settings'

export async function postForm(
  fetchImpl: FetchLike,
  url: string,
  form: Record<string, string>,
  signal?: AbortSignal,
  timeoutMs = OAUTH_REQUEST_TIMEOUT_MS,
): Promise<OAuthResponse> {
  const timeout = AbortSignal.timeout(timeoutMs)
  const requestSignal = signal ? AbortSignal.any([signal, timeout]) : timeout
  let response: Response
  let text: string
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json'},
      body: new URLSearchParams(form).toString(),
      signal: requestSignal,
    })
    text = await response.text()
  } catch (error) {
    if (signal?.aborted) throw error
    if (timeout.aborted) throw new AuthError(`${url} did not answer within ${timeoutMs / 1000} s`, {hint: REACH_HINT})
    const cause = (error as {cause?: {code?: string; message?: string}}).cause
    throw new AuthError(`Could not reach ${url} (${cause?.code ?? cause?.message ?? (error as Error).message})`, {
      hint: REACH_HINT,
    })
  }
  let body: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>
  } catch {
    body = {error: 'invalid_response', error_description: `HTTP ${response.status}: ${text.slice(0, 200)}`}
  }
  return {status: response.status, body}
}

/** `error: description` from an OAuth error body, for messages. */
export function describeOAuthError(body: Record<string, unknown>, status: number): string {
  const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`
  return typeof body.error_description === 'string' && body.error_description !== ''
    ? `${error}: ${body.error_description}`
    : error
}
