// Folder trust: which folders' own configuration may widen the sandbox or route credentials (Qwen Code's Trusted Folders).
export {TRUST_LEVELS, isTrustLevel, mayRouteCredential, type SourceTrust, type TrustLevel} from './trust-level.js'
export {decideFolderTrust, ruleScope, type FolderTrust, type TrustRule} from './folder-trust.js'
export {
  readTrustedFolders,
  writeTrustRule,
  trustedFoldersPath,
  TRUSTED_FOLDERS_FILE,
  type TrustedFolders,
} from './trusted-folders-file.js'
export {filterUntrustedSettings, networkIsTighterOrEqual, type DroppedSetting} from './untrusted-settings.js'
export {envFileTrust, resolveProjectTrust, type ProjectTrust} from './project-trust.js'
export {ignoredSettingNotice, ignoredVariableNotice, trustCommand} from './trust-notices.js'
export {canonicalFolder, describeDiscovery, discoverFolderConfig, type FolderDiscovery} from './discovery.js'
export {assertCredentialRoute, envFileFolder, type CredentialRoute} from './credential-route.js'
export {saveTrustRule, summarizeFolderTrust, type FolderTrustSummary, type SavedTrustRule} from './trust-summary.js'
