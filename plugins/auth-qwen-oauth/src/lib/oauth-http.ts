// One form-encoded POST to an OAuth endpoint, answering with the JSON body whatever the status (errors are data here).
import {AuthError} from 'sandboxed-agent/plugin'

export interface OAuthResponse {
  status: number
  body: Record<string, unknown>
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export async function postForm(
  fetchImpl: FetchLike,
  url: string,
  form: Record<string, string>,
  signal?: AbortSignal,
): Promise<OAuthResponse> {
  let response: Response
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json'},
      body: new URLSearchParams(form).toString(),
      ...(signal ? {signal} : {}),
    })
  } catch (error) {
    if (signal?.aborted) throw error
    const cause = (error as {cause?: {code?: string; message?: string}}).cause
    throw new AuthError(`Could not reach ${url} (${cause?.code ?? cause?.message ?? (error as Error).message})`, {
      hint: 'Check the network connection, or the Qwen OAuth endpoint settings',
    })
  }
  const text = await response.text()
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
