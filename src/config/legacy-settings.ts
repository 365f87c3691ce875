// Qwen Code's older flat settings keys (before the `tools.*` sections), read as their new names so a user's existing
// settings.json keeps its meaning: an `excludeTools` entry that was ignored let the command it blocked run.
import {isPlainObject, type JsonObject} from './deep-merge.js'

/** Old key -> where it lives now (a dotted path). The new key wins when a file has both. */
export const LEGACY_SETTINGS: Readonly<Record<string, string>> = {
  coreTools: 'tools.core',
  excludeTools: 'tools.exclude',
  shouldUseNodePtyShell: 'tools.shell.enableInteractiveShell',
  shellPager: 'tools.shell.pager',
  shellShowColor: 'tools.shell.showColor',
}

export interface MigratedSettings {
  settings: JsonObject
  /** The old keys found, in file order, with their new names. */
  renamed: {from: string; to: string}[]
}

/** A copy of `raw` with every legacy key moved to its new place (unless that place is already set). */
export function migrateLegacySettings(raw: JsonObject): MigratedSettings {
  const renamed: {from: string; to: string}[] = []
  let settings: JsonObject = raw
  for (const [from, to] of Object.entries(LEGACY_SETTINGS)) {
    if (!Object.hasOwn(raw, from)) continue
    renamed.push({from, to})
    const {[from]: value, ...rest} = settings
    settings = setIfAbsent(rest, to.split('.'), value)
  }
  return {settings, renamed}
}

function setIfAbsent(target: JsonObject, keys: string[], value: unknown): JsonObject {
  const [key, ...more] = keys
  if (key === undefined) return target
  if (more.length === 0) return Object.hasOwn(target, key) ? target : {...target, [key]: value}
  const child = target[key]
  return {...target, [key]: setIfAbsent(isPlainObject(child) ? child : {}, more, value)}
}

/** One line per file that still uses old keys: which to rename, and that they are read meanwhile. */
export function legacySettingsNotice(file: string, renamed: {from: string; to: string}[]): string {
  const list = renamed.map(({from, to}) => `${from} -> ${to}`).join(', ')
  return `Note: ${file} uses Qwen Code's older settings keys (${list}); they are read as the new ones, rename them`
}
