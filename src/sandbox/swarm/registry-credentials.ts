// The login for a registry that needs one, as the Docker CLI finds it: config.json (what `docker login REGISTRY`
// writes), or the credential helper it names (credHelpers for the host, else credsStore).
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {UserInputError} from '../../errors.js'

/**
 * A login in the Docker engine's own terms (its AuthConfig, sent as X-Registry-Auth): a username and password, or an
 * identity token (a refresh token a token-auth registry gave at login, exchanged for access tokens).
 */
export type RegistryCredentials =
  | {
      username: string
      password: string
      /** host:port, as `docker login` names the registry. */
      serveraddress: string
    }
  | {identitytoken: string; serveraddress: string}

interface DockerConfigFile {
  auths?: Record<string, {auth?: string; username?: string; password?: string; identitytoken?: string}>
  credsStore?: string
  credHelpers?: Record<string, string>
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker'), 'config.json')
}

/** What the credential helper protocol's `get` answers. */
interface HelperAnswer {
  ServerURL?: string
  Username?: string
  Secret?: string
}

/** The user name a helper gives for an identity token instead of a password (as the Docker CLI reads it). */
const TOKEN_USERNAME = '<token>'
const HELPER_TIMEOUT_MS = 30_000

/**
 * The login for `host` (host:port), or undefined when there is none: the Docker CLI's order, a helper named for the
 * host in credHelpers, else the credsStore helper, else the file's own entry (auth, username/password or
 * identitytoken).
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
  const helper = config.credHelpers?.[host] ?? config.credsStore
  if (helper) return helperCredentials(helper, host, file, env)
  const entry = [host, `http://${host}`, `https://${host}`].map((key) => config.auths?.[key]).find(Boolean)
  if (entry?.identitytoken) return {identitytoken: entry.identitytoken, serveraddress: host}
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) return {username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: host}
  }
  if (entry?.username && entry.password)
    return {username: entry.username, password: entry.password, serveraddress: host}
  return undefined
}

/**
 * Asks `docker-credential-HELPER get` (on PATH) for the host's login, the host on its stdin, as the Docker CLI does.
 * "Not found" (a non-zero exit whose output says so) is no login; any other failure is one line naming the helper.
 */
function helperCredentials(
  helper: string,
  host: string,
  file: string,
  env: NodeJS.ProcessEnv,
): RegistryCredentials | undefined {
  const program = `docker-credential-${helper}`
  let output: string
  try {
    output = execFileSync(program, ['get'], {
      input: host,
      env,
      encoding: 'utf8',
      timeout: HELPER_TIMEOUT_MS,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & {stdout?: string; stderr?: string; signal?: string}
    const said = `${failure.stdout ?? ''} ${failure.stderr ?? ''}`.trim()
    if (/credentials not found/i.test(said)) return undefined
    const why =
      failure.code === 'ENOENT'
        ? 'it is not on PATH'
        : failure.signal
          ? `it did not answer within ${HELPER_TIMEOUT_MS / 1000} s`
          : said.split('\n')[0] || 'it failed'
    throw new UserInputError(`The credential helper ${program} (named in ${file}) gave no login for ${host}: ${why}`, {
      hint: `Check it with \`echo ${host} | ${program} get\`, or log in again with \`docker login ${host}\``,
    })
  }
  let answer: HelperAnswer
  try {
    answer = JSON.parse(output) as HelperAnswer
  } catch {
    throw new UserInputError(`The credential helper ${program} answered something other than JSON for ${host}`, {
      hint: `Check it with \`echo ${host} | ${program} get\``,
    })
  }
  if (!answer.Secret) return undefined
  if (answer.Username === TOKEN_USERNAME) return {identitytoken: answer.Secret, serveraddress: host}
  return {username: answer.Username ?? '', password: answer.Secret, serveraddress: host}
}

/** What to do about a registry that refused us: the one line every 401 ends with. */
export function registryLoginHint(host: string, env: NodeJS.ProcessEnv = process.env): string {
  return `Log in with \`docker login ${host}\` (the login is read from ${dockerConfigPath(env)})`
}
