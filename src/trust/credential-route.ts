// The credential rule: a key goes only to an endpoint chosen by a source at least as trusted as the key's own.
import path from 'node:path'

import {AuthError} from '../errors.js'
import {mayRouteCredential, type SourceTrust} from './trust-level.js'
import {trustCommand} from './trust-notices.js'

export interface CredentialRoute {
  /** The credential's name for people, e.g. `OPENAI_API_KEY`. */
  credential: string
  credentialTrust: SourceTrust
  /** Where the credential came from, for people (never the value). */
  credentialSource: string
  endpoint: string
  endpointTrust: SourceTrust
  /** Where the endpoint came from: a .env path or a settings file. */
  endpointSource: string
  /** The setting or variable to set instead, e.g. `OPENAI_BASE_URL (or security.auth.baseUrl)`. */
  endpointName: string
}

/** The folder whose .env file (`<folder>/.env` or `<folder>/.qwen/.env`) set a value. */
export function envFileFolder(file: string): string {
  const dir = path.dirname(file)
  return path.basename(dir) === '.qwen' ? path.dirname(dir) : dir
}

/** Throws AuthError (exit 4) saying why and what to do when the route would hand a credential to a less trusted source. */
export function assertCredentialRoute(route: CredentialRoute): void {
  if (mayRouteCredential(route.credentialTrust, route.endpointTrust)) return
  const folder = route.endpointSource.startsWith('/') ? envFileFolder(route.endpointSource) : undefined
  throw new AuthError(
    `Refusing to send ${route.credential} (${route.credentialSource}) to ${route.endpoint}: that endpoint comes from ` +
      `${route.endpointSource}, in a folder you have not trusted`,
    {
      hint:
        `If you chose that endpoint, trust the folder${folder ? ` (${trustCommand(folder)})` : ''}; otherwise set ` +
        `${route.endpointName} in your environment or ~/.qwen/settings.json, or put the key beside it in that file`,
    },
  )
}
