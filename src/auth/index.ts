// The auth module's public surface: the registry and its selection rule, the built-in provider, and the status report.
export {AUTH_TYPE_ALIASES, CONFIGURE_AUTH_HINT} from './auth-provider.js'
export type {AuthConfig, AuthProvider, AuthProviderConfig, AuthStatus, LoginIO} from './auth-provider.js'
export {AuthRegistry, missingCredentialsError} from './auth-registry.js'
export type {
  AuthSelection,
  AuthSelectionReason,
  RegisteredAuthProvider,
  ResolveOptions,
  SelectOptions,
} from './auth-registry.js'
export {authStatus, type AuthStatusReport, type ProviderStatus} from './auth-status.js'
export {
  DEFAULT_OPENAI_MODEL,
  OPENAI_COMPATIBLE_ID,
  openAICompatibleProvider,
  resolveOpenAICredentials,
  type OpenAICredentials,
} from './openai-compatible-provider.js'
export {createAuthRegistry} from './create-auth-registry.js'
