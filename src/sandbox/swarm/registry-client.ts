// A minimal client of the registry HTTP API (v2): plain requests to REGISTRY (https, or http:// when given).
import http from 'node:http'
import https from 'node:https'
import type {Readable} from 'node:stream'

import type {RegistryCredentials} from './registry-credentials.js'
import {fetchRegistryToken, parseBearerChallenge, TokenRefusedError} from './registry-token.js'

/** The registry answered 401: no login, or a wrong one. */
export class RegistryLoginError extends Error {}

export interface RegistryResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export interface RegistryClient {
  /** host:port as image references name it. */
  readonly host: string
  readonly base: string
  request(
    method: string,
    pathAndQuery: string,
    options?: {headers?: Record<string, string>; body?: Buffer | Readable; expect?: number[]},
  ): Promise<RegistryResponse>
}

/** host:port of REGISTRY, as image references and `docker login` name it. */
export function registryHost(registry: string): string {
  return new URL(/^https?:\/\//.test(registry) ? registry : `https://${registry}`).host
}

/**
 * REGISTRY is `host:port` (https) or `http://host:port` (a plain-HTTP registry on a private network). With a
 * username and password, every request carries them (HTTP basic authentication, as a registry behind htpasswd asks
 * for). A registry that answers 401 with a Bearer challenge (token authentication) gets a token from the realm it
 * names, for the scope it names, and the request is sent again with it; later requests carry the newest token.
 */
export function registryClient(registry: string, credentials?: RegistryCredentials): RegistryClient {
  const withScheme = /^https?:\/\//.test(registry) ? registry : `https://${registry}`
  const url = new URL(withScheme)
  const base = `${url.protocol}//${url.host}`
  const transport = url.protocol === 'http:' ? http : https
  let authorization: string | undefined =
    credentials && 'password' in credentials
      ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
      : undefined

  const send = (
    method: string,
    pathAndQuery: string,
    options: {headers?: Record<string, string>; body?: Buffer | Readable},
  ): Promise<RegistryResponse> =>
    new Promise((resolve, reject) => {
      const request = transport.request(
        new URL(pathAndQuery, base),
        {method, headers: {...(authorization ? {authorization} : {}), ...options.headers}},
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () =>
            resolve({status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks)}),
          )
          response.on('error', reject)
        },
      )
      request.on('error', reject)
      const body = options.body
      if (body === undefined) request.end()
      else if (Buffer.isBuffer(body)) request.end(body)
      else {
        body.on('error', (error) => request.destroy(error))
        body.pipe(request)
      }
    })

  return {
    host: url.host,
    base,
    async request(method, pathAndQuery, options = {}) {
      const where = `${method} ${pathAndQuery.split('?')[0]}`
      let result = await send(method, pathAndQuery, options)
      const challenge = result.status === 401 ? parseBearerChallenge(result.headers['www-authenticate']) : undefined
      // Once per request (a token that expired, or one for a narrower scope, is replaced). A streamed body cannot be
      // sent twice: by then a token for the repository's push scope is held already.
      const replayable = options.body === undefined || Buffer.isBuffer(options.body)
      if (challenge && replayable) {
        const token = await fetchRegistryToken(challenge, credentials).catch((error: unknown) => {
          throw error instanceof TokenRefusedError
            ? new RegistryLoginError(`${where}: the registry ${url.host} refused the login (${error.message})`)
            : error
        })
        authorization = `Bearer ${token}`
        result = await send(method, pathAndQuery, options)
      }
      if (options.expect && !options.expect.includes(result.status)) {
        const text = result.body.toString('utf8').slice(0, 200).trim()
        throw result.status === 401
          ? new RegistryLoginError(
              `${where}: the registry ${url.host} needs a login${credentials ? ' and refused the one given' : ''}`,
            )
          : new Error(`${where}: HTTP ${result.status}${text ? ` ${text}` : ''}`)
      }
      return result
    },
  }
}

/** The schema-2 manifest of `repository:tag`, or undefined when the registry has none. */
export async function registryManifest(
  client: RegistryClient,
  repository: string,
  tag: string,
): Promise<{config?: {digest?: string}} | undefined> {
  const manifest = await client.request('GET', `/v2/${repository}/manifests/${tag}`, {
    headers: {accept: 'application/vnd.docker.distribution.manifest.v2+json'},
    expect: [200, 404],
  })
  if (manifest.status === 404) return undefined
  return JSON.parse(manifest.body.toString('utf8')) as {config?: {digest?: string}}
}

/** The labels of an image in the registry (from its config), without pulling it. */
export async function registryImageLabels(
  client: RegistryClient,
  repository: string,
  tag: string,
): Promise<Record<string, string> | undefined> {
  const digest = (await registryManifest(client, repository, tag))?.config?.digest
  if (!digest) return undefined
  const config = await client.request('GET', `/v2/${repository}/blobs/${digest}`, {expect: [200]})
  return (JSON.parse(config.body.toString('utf8')) as {config?: {Labels?: Record<string, string>}}).config?.Labels
}
