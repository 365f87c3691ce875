// The trust of the project folder and of the .env file a run loads, from the user's settings and trustedFolders.json.
import fs from 'node:fs'
import path from 'node:path'

import {decideFolderTrust, type FolderTrust, type TrustRule} from './folder-trust.js'
import type {SourceTrust} from './trust-level.js'
import {readTrustedFolders, trustedFoldersPath} from './trusted-folders-file.js'

export interface ProjectTrust {
  /** `security.folderTrust.enabled` from the user's settings (a project can never turn it off). Default true. */
  enabled: boolean
  /** The project folder's decision; when folder trust is off every folder counts as trusted. */
  folder: FolderTrust
  /** The trust of the project's own files (settings.json, .env). */
  source: SourceTrust
  /** ~/.qwen/trustedFolders.json. */
  file: string
  rules: readonly TrustRule[]
}

export function resolveProjectTrust(options: {home: string; projectRoot: string; enabled: boolean}): ProjectTrust {
  const file = trustedFoldersPath(options.home)
  if (!options.enabled) {
    return {enabled: false, folder: {trusted: true, decidedBy: 'rule'}, source: 'trusted-folder', file, rules: []}
  }
  const {rules} = readTrustedFolders(options.home)
  // Rules name real paths (`agent trust` writes them so): a symlinked --cwd is judged by where it leads.
  let location = path.resolve(options.projectRoot)
  try {
    location = fs.realpathSync(location)
  } catch {
    // A folder that does not exist is judged as written; the run refuses it later anyway.
  }
  const folder = decideFolderTrust(rules, location)
  return {enabled: true, folder, source: folder.trusted ? 'trusted-folder' : 'untrusted-folder', file, rules}
}

/**
 * The trust of a .env file: the home fallbacks (~/.qwen/.env, ~/.env) are the user's; any other file is its folder's
 * (the folder holding `.env`, or holding the `.qwen` that holds it).
 */
export function envFileTrust(
  file: {path: string; kind: 'qwen' | 'plain'},
  home: string,
  trust: Pick<ProjectTrust, 'enabled' | 'rules'>,
): {trust: SourceTrust; folder: string} {
  const dir = path.dirname(path.resolve(file.path))
  const folder = file.kind === 'qwen' ? path.dirname(dir) : dir
  if (folder === path.resolve(home)) return {trust: 'user', folder}
  if (!trust.enabled) return {trust: 'trusted-folder', folder}
  return {trust: decideFolderTrust(trust.rules, folder).trusted ? 'trusted-folder' : 'untrusted-folder', folder}
}
