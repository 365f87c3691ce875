// The login for a registry that needs one, from the Docker CLI's config.json (what `docker login REGISTRY` writes).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {UserInputError} from '../../errors.js'

export interface RegistryCredentials {
  username: string
  password: string
  /** host:port, as `docker login` names the registry. */
  serveraddress: string
}

interface DockerConfigFile {
  auths?: Record<string, {auth?: string; username?: string; password?: string}>
  credsStore?: string
  credHelpers?: Record<string, string>
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker'), 'config.json')
}

/**
 * The username and password stored in the config for `host` (host:port), or undefined when it has none. Only logins
 * kept in the file itself are read: one held by a credential helper (credsStore, credHelpers) is refused in one line.
 */
export function registryCredentials(
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): RegistryCredentials | undefined {
  const file = dockerConfigPath(env)
  let config: DockerConfigFile
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8')) as DockerConfigFile
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UserInputError(`Could not read the registry logins in ${file}: ${(error as Error).message}`)
  }
  const entry = [host, `http://${host}`, `https://${host}`].map((key) => config.auths?.[key]).find(Boolean)
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) return {username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: host}
  }
  if (entry?.username && entry.password)
    return {username: entry.username, password: entry.password, serveraddress: host}
  const helper = config.credHelpers?.[host] ?? (entry ? config.credsStore : undefined)
  if (helper)
    throw new UserInputError(
      `The login for ${host} is kept by the credential helper docker-credential-${helper}, which is not read`,
      {hint: `Keep it in ${file} instead: log in with DOCKER_CONFIG set to a folder without credsStore`},
    )
  return undefined
}

/** What to do about a registry that refused us: the one line every 401 ends with. */
export function registryLoginHint(host: string, env: NodeJS.ProcessEnv = process.env): string {
  return `Log in with \`docker login ${host}\` (the login is read from ${dockerConfigPath(env)})`
}
