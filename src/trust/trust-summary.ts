// A folder's trust told to people, for `agent trust` and chat alike: its status, what trusting it would change, a new rule.
import path from 'node:path'

import {describeDiscovery, discoverFolderConfig, type FolderDiscovery} from './discovery.js'
import type {TrustLevel} from './trust-level.js'
import {writeTrustRule} from './trusted-folders-file.js'

export interface FolderTrustSummary {
  discovery: FolderDiscovery
  /** `<folder>: trusted (<rule> in <file>)`, or not trusted and why. */
  status: string
  /** What the folder's own settings and .env would change once trusted. */
  details: string[]
  /** Whether trusting the folder would change anything: a widening setting, or a .env of its own. */
  matters: boolean
}

export function summarizeFolderTrust(options: {
  home: string
  folder: string
  folderTrustEnabled: boolean
}): FolderTrustSummary {
  const discovery = discoverFolderConfig(options)
  return {
    discovery,
    status: statusLine(discovery),
    details: describeDiscovery(discovery),
    matters: discovery.widening.length > 0 || discovery.envFile !== undefined,
  }
}

export interface SavedTrustRule {
  level: TrustLevel
  /** ~/.qwen/trustedFolders.json. */
  file: string
  /** Whether the rule trusts (TRUST_FOLDER, TRUST_PARENT) or distrusts (DO_NOT_TRUST). */
  trusted: boolean
  /** What the rule covers: the folder, or its parent and every folder in it. */
  scope: string
}

/** Records `level` for `folder` in ~/.qwen/trustedFolders.json and says what it covers. */
export function saveTrustRule(home: string, folder: string, level: TrustLevel): SavedTrustRule {
  const {file} = writeTrustRule(home, folder, level)
  const scope = level === 'TRUST_PARENT' ? `${path.dirname(folder)} and every folder in it` : folder
  return {level, file, trusted: level !== 'DO_NOT_TRUST', scope}
}

function statusLine(discovery: FolderDiscovery): string {
  const {trust, folder} = discovery
  if (!trust.enabled) return `${folder}: trusted (security.folderTrust.enabled is false in your settings)`
  const rule = trust.folder.rule
  if (!rule) return `${folder}: not trusted (no rule in ${trust.file}); its settings may only tighten yours`
  const by = `${rule.level} ${rule.path} in ${trust.file}`
  return trust.folder.trusted
    ? `${folder}: trusted (${by})`
    : `${folder}: not trusted (${by}); its settings may only tighten yours`
}
