// The config module's public surface: load everything with loadConfig, or use the pieces (settings, .env) alone.
export {
  loadConfig,
  type AgentConfig,
  type ApprovalMode,
  type ConfigFlags,
  type LoadConfigOptions,
  type NetworkMode,
} from './load-config.js'
export {loadSettings, readSettingsFile, checkSettings, settingsPaths, type LoadedSettings} from './settings-files.js'
export {
  loadEnvironment,
  findEnvFile,
  envFileCandidates,
  DEFAULT_EXCLUDED_ENV_VARS,
  type EnvFile,
  type LoadedEnvironment,
} from './env-file.js'
export {deepMerge} from './deep-merge.js'
export * from './schema.js'
export * from './network-setting.js'
