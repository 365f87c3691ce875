// Token authentication of the registry API (the distribution token spec): a 401 whose challenge is `Bearer realm=...`
// is answered by asking the realm for a token for the challenge's scope, with the login or the identity token.
import http from 'node:http'
import https from 'node:https'

import type {RegistryCredentials} from './registry-credentials.js'

export interface BearerChallenge {
  realm: string
  service?: string
  scope?: string
}

/** The client id the token server is told (it may log it; the spec asks for one with a refresh token). */
const CLIENT_ID = 'sandbox-agent'
const TOKEN_TIMEOUT_MS = 30_000

/** `Bearer realm="...",service="...",scope="..."` as an object; undefined for any other challenge (Basic). */
export function parseBearerChallenge(header: string | undefined): BearerChallenge | undefined {
  const match = /^\s*Bearer\s+(.*)$/i.exec(header ?? '')
  if (!match) return undefined
  const params: Record<string, string> = {}
  for (const part of match[1]!.matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[part[1]!.toLowerCase()] = part[2]!
  if (!params.realm) return undefined
  return {
    realm: params.realm,
    ...(params.service ? {service: params.service} : {}),
    ...(params.scope ? {scope: params.scope} : {}),
  }
}

/**
 * A token for the challenge's scope: with an identity token, the OAuth2 refresh-token grant (POST, as the Docker engine
 * does); otherwise a GET, with the login as HTTP basic authentication when there is one (anonymous for public images).
 */
export async function fetchRegistryToken(
  challenge: BearerChallenge,
  credentials: RegistryCredentials | undefined,
): Promise<string> {
  const url = new URL(challenge.realm)
  const fields: Record<string, string> = {client_id: CLIENT_ID}
  if (challenge.service) fields.service = challenge.service
  if (challenge.scope) fields.scope = challenge.scope
  let answer: {status: number; body: string}
  if (credentials && 'identitytoken' in credentials) {
    const form = new URLSearchParams({...fields, grant_type: 'refresh_token', refresh_token: credentials.identitytoken})
    answer = await send(url, 'POST', {'content-type': 'application/x-www-form-urlencoded'}, form.toString())
  } else {
    for (const [key, value] of Object.entries(fields)) url.searchParams.set(key, value)
    const basic: Record<string, string> = credentials
      ? {authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`}
      : {}
    answer = await send(url, 'GET', basic)
  }
  if (answer.status === 401 || answer.status === 403)
    throw new TokenRefusedError(`the token server ${url.host} refused the login (HTTP ${answer.status})`)
  if (answer.status !== 200) throw new Error(`the token server ${url.host} answered HTTP ${answer.status}`)
  const parsed = JSON.parse(answer.body) as {token?: string; access_token?: string}
  const token = parsed.access_token ?? parsed.token
  if (!token) throw new Error(`the token server ${url.host} gave no token`)
  return token
}

/** The token server said no to the login (as a registry's 401 would). */
export class TokenRefusedError extends Error {}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{status: number; body: string}> {
  const transport = url.protocol === 'http:' ? http : https
  return new Promise((resolve, reject) => {
    const request = transport.request(url, {method, headers, timeout: TOKEN_TIMEOUT_MS}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}),
      )
      response.on('error', reject)
    })
    request.on('timeout', () => request.destroy(new Error(`the token server ${url.host} did not answer in time`)))
    request.on('error', reject)
    request.end(body)
  })
}
