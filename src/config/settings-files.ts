// Reads the user and project settings.json files, checks each against the schema, and merges them (project wins).
import fs from 'node:fs'
import path from 'node:path'

import {UserInputError} from '../errors.js'
import {deepMerge, isPlainObject, type JsonObject} from './deep-merge.js'
import {parseJsonText} from './json-text.js'
import {migrateLegacySettings} from './legacy-settings.js'
import {settingsSchema, type Settings} from './schema.js'
import {describeSettingsIssue} from './settings-issue.js'

export const SETTINGS_DIR = '.qwen'
export const SETTINGS_FILE = 'settings.json'

export interface SettingsPaths {
  user: string
  project: string
}

export interface LoadedSettings {
  settings: Settings
  /** The merged raw objects before defaults (what the files said), for diagnostics. */
  raw: JsonObject
  /** Files that existed and were read, lowest precedence first. */
  files: string[]
}

export function settingsPaths(projectRoot: string, home: string): SettingsPaths {
  return {
    user: path.join(home, SETTINGS_DIR, SETTINGS_FILE),
    project: path.join(projectRoot, SETTINGS_DIR, SETTINGS_FILE),
  }
}

/** One settings file as an object, or undefined when it does not exist. Broken files throw UserInputError. */
export function readSettingsFile(file: string): JsonObject | undefined {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw new UserInputError(`Cannot read settings file ${file}: ${code ?? (error as Error).message}`, {
      hint: 'Check its permissions, or remove it',
      cause: error,
    })
  }
  const parsed = parseJsonText(text)
  if (!parsed.ok) {
    throw new UserInputError(
      `Invalid settings in ${file}: line ${parsed.line}, column ${parsed.column}: ${parsed.message} (not valid JSON)`,
      {hint: 'Fix the JSON there (comments are allowed), or move the file away to run with defaults'},
    )
  }
  if (!isPlainObject(parsed.value)) {
    throw new UserInputError(`Invalid settings in ${file}: expected a JSON object at the top level`, {
      hint: 'Wrap the settings in { }',
    })
  }
  checkSettings(parsed.value, file)
  return parsed.value
}

/** Throws UserInputError with one line naming the file, the key path and what was expected. */
export function checkSettings(raw: JsonObject, where: string): Settings {
  const result = settingsSchema.safeParse(raw)
  if (result.success) return result.data
  const [first, ...rest] = result.error.issues
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : ''
  throw new UserInputError(`Invalid settings in ${where}: ${describeSettingsIssue(first!, raw)}${more}`, {
    hint: 'Correct that value, or remove the key to use the default',
  })
}

export interface SettingsLayer {
  file: string
  /** The file's settings, Qwen Code's older keys already read as their new names. */
  raw: JsonObject
  /** The older keys the file used (for one notice per file). */
  legacyKeys: {from: string; to: string}[]
}

function layer(file: string, raw: JsonObject | undefined): SettingsLayer | undefined {
  if (!raw) return undefined
  const migrated = migrateLegacySettings(raw)
  return {file, raw: migrated.settings, legacyKeys: migrated.renamed}
}

/** The user's and the project's settings files as read (each checked), not yet merged. The same file is read once. */
export function readSettingsLayers({projectRoot, home}: {projectRoot: string; home: string}): {
  user: SettingsLayer | undefined
  project: SettingsLayer | undefined
} {
  const paths = settingsPaths(projectRoot, home)
  const userRaw = readSettingsFile(paths.user)
  const same = path.resolve(paths.user) === path.resolve(paths.project)
  const projectRaw = same ? undefined : readSettingsFile(paths.project)
  return {
    user: layer(paths.user, userRaw),
    project: layer(paths.project, projectRaw),
  }
}

/** Loads `~/.qwen/settings.json` then `<project>/.qwen/settings.json`; the project file wins key by key. */
export function loadSettings({projectRoot, home}: {projectRoot: string; home: string}): LoadedSettings {
  const paths = settingsPaths(projectRoot, home)
  const sources = path.resolve(paths.user) === path.resolve(paths.project) ? [paths.user] : [paths.user, paths.project]
  let raw: JsonObject = {}
  const files: string[] = []
  for (const file of sources) {
    const content = readSettingsFile(file)
    if (!content) continue
    files.push(file)
    raw = deepMerge(raw, migrateLegacySettings(content).settings)
  }
  const settings = checkSettings(raw, files.length > 0 ? files.join(' + ') : 'settings')
  return {settings, raw, files}
}
