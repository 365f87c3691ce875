// What a folder's own configuration would change if trusted (Qwen Code's "discovery"): for `agent trust --show` and chat.
import fs from 'node:fs'
import path from 'node:path'

import type {JsonObject} from '../config/deep-merge.js'
import {findEnvFile} from '../config/env-file.js'
import {readSettingsLayers} from '../config/settings-files.js'
import {envFileTrust, resolveProjectTrust, type ProjectTrust} from './project-trust.js'
import type {DroppedSetting} from './untrusted-settings.js'
import {filterUntrustedSettings} from './untrusted-settings.js'

export interface FolderDiscovery {
  folder: string
  trust: ProjectTrust
  /** The folder's .qwen/settings.json, when it has one. */
  settingsFile: string | undefined
  /** Keys of that file that apply only once the folder is trusted (empty: it only tightens). */
  widening: DroppedSetting[]
  /** The folder's .env file (not one in the home directory), and the names it sets (never the values). */
  envFile: {path: string; names: string[]} | undefined
}

/** The folder as the trust decision sees it: absolute, symlinks resolved (a missing folder stays as given). */
export function canonicalFolder(folder: string): string {
  const resolved = path.resolve(folder)
  try {
    return fs.realpathSync(resolved)
  } catch {
    return resolved
  }
}

export function discoverFolderConfig(options: {
  home: string
  folder: string
  folderTrustEnabled: boolean
}): FolderDiscovery {
  const folder = canonicalFolder(options.folder)
  const trust = resolveProjectTrust({home: options.home, projectRoot: folder, enabled: options.folderTrustEnabled})
  const layers = readSettingsLayers({projectRoot: folder, home: options.home})
  const userRaw: JsonObject = layers.user?.raw ?? {}
  const widening = layers.project ? filterUntrustedSettings(userRaw, layers.project.raw).dropped : []
  const file = findEnvFile(folder, options.home)
  let envFile: FolderDiscovery['envFile']
  if (file && envFileTrust(file, options.home, {enabled: true, rules: []}).trust !== 'user') {
    const names = fs
      .readFileSync(file.path, 'utf8')
      .split('\n')
      .map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined)
    envFile = {path: file.path, names}
  }
  return {folder, trust, settingsFile: layers.project?.file, widening, envFile}
}

/** The discovery as lines for people: what trusting the folder would let its files do. */
export function describeDiscovery(discovery: FolderDiscovery): string[] {
  const lines: string[] = []
  if (discovery.widening.length > 0) {
    lines.push(`${discovery.settingsFile} would change, once trusted:`)
    for (const {key, effect} of discovery.widening) lines.push(`  ${key}: it ${effect}`)
  } else if (discovery.settingsFile) {
    lines.push(`${discovery.settingsFile} only tightens your settings: it applies whether trusted or not.`)
  }
  if (discovery.envFile) {
    const names = discovery.envFile.names.length > 0 ? discovery.envFile.names.join(', ') : 'no variables'
    lines.push(`${discovery.envFile.path} sets ${names}; once trusted, its endpoints may receive your credentials.`)
  }
  if (lines.length === 0) lines.push('This folder has no .qwen/settings.json or .env of its own.')
  return lines
}
