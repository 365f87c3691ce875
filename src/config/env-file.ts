// Finds and reads the one .env file the authentication spec allows, and layers it under the existing environment.
import fs from 'node:fs'
import path from 'node:path'

import dotenv from 'dotenv'

import {UserInputError} from '../errors.js'
import {SETTINGS_DIR} from './settings-files.js'

/** Variables a plain `.env` may not set (they change the agent itself); `.qwen/.env` may. Qwen Code's default. */
export const DEFAULT_EXCLUDED_ENV_VARS: readonly string[] = ['DEBUG', 'DEBUG_MODE']

export interface EnvFile {
  path: string
  /** `qwen`: a `.qwen/.env` (the agent's own); `plain`: a shared `.env`, where the exclusions apply. */
  kind: 'qwen' | 'plain'
}

export interface LoadedEnvironment {
  /** The environment to use: the given one plus what the file added. Never written to process.env. */
  env: Readonly<Record<string, string>>
  /** The file that was loaded, if any. */
  file: EnvFile | undefined
  /** Names whose value came from the file. */
  fromFile: readonly string[]
  /** Names in the file that were ignored, and why. */
  ignored: readonly {name: string; reason: 'already-set' | 'excluded'}[]
}

function isFile(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isFile()
  } catch {
    return false
  }
}

/** Every place looked at, in order: from cwd up to `/` (`.qwen/.env` then `.env` in each), then `~/.qwen/.env`, `~/.env`. */
export function envFileCandidates(cwd: string, home: string): EnvFile[] {
  const out: EnvFile[] = []
  let dir = path.resolve(cwd)
  for (;;) {
    out.push({path: path.join(dir, SETTINGS_DIR, '.env'), kind: 'qwen'}, {path: path.join(dir, '.env'), kind: 'plain'})
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  const homeDir = path.resolve(home)
  out.push(
    {path: path.join(homeDir, SETTINGS_DIR, '.env'), kind: 'qwen'},
    {path: path.join(homeDir, '.env'), kind: 'plain'},
  )
  return out
}

/** The first existing file of the search order, or undefined. Only this one file is ever loaded. */
export function findEnvFile(
  cwd: string,
  home: string,
  exists: (file: string) => boolean = isFile,
): EnvFile | undefined {
  return envFileCandidates(cwd, home).find((candidate) => exists(candidate.path))
}

export interface LoadEnvironmentOptions {
  cwd: string
  home: string
  /** The starting environment (usually process.env); its variables win over the file's. */
  env: Readonly<Record<string, string | undefined>>
  /** Names a plain `.env` may not set. Default: DEBUG, DEBUG_MODE. */
  excluded?: readonly string[]
}

/** Parses the first .env file found (dotenv.parse) and returns the combined environment. Pure: process.env is untouched. */
export function loadEnvironment(options: LoadEnvironmentOptions): LoadedEnvironment {
  const base: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) base[name] = value
  const file = findEnvFile(options.cwd, options.home)
  if (!file) return {env: Object.freeze(base), file: undefined, fromFile: [], ignored: []}

  let text: Buffer
  try {
    text = fs.readFileSync(file.path)
  } catch (error) {
    throw new UserInputError(
      `Cannot read ${file.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        hint: 'Check its permissions, or remove it',
        cause: error,
      },
    )
  }
  const parsed = dotenv.parse(text)
  const excluded = new Set(options.excluded ?? DEFAULT_EXCLUDED_ENV_VARS)
  const env = {...base}
  const fromFile: string[] = []
  const ignored: {name: string; reason: 'already-set' | 'excluded'}[] = []
  for (const [name, value] of Object.entries(parsed)) {
    if (file.kind === 'plain' && excluded.has(name)) ignored.push({name, reason: 'excluded'})
    else if (Object.hasOwn(base, name)) ignored.push({name, reason: 'already-set'})
    else {
      env[name] = value
      fromFile.push(name)
    }
  }
  return {env: Object.freeze(env), file, fromFile, ignored}
}
