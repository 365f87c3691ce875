// sandboxed-agent/plugin: the one stable surface for plugins (tools, auth providers, hook types, test fakes).
export {z} from 'zod'

export {defineTool, type ToolSpec} from './define-tool.js'
export {defineAuthProvider} from './define-auth-provider.js'
export type {AuthProvider, AuthProviderConfig, AuthStatus, LoginIO} from './auth-provider.js'
export {AUTH_HOOK, TOOL_SOURCES_HOOK, TOOLS_HOOK} from './hooks.js'
export {callHook} from './call-hook.js'
export type {AgentHooks, AuthHook, AuthHookOptions, ToolSourcesHook, ToolsHook, ToolsHookOptions} from './hooks.js'
export type {OpenedToolSource, ToolSource, ToolSourceContext, ToolSourceEntry} from '../tools/tool-source.js'
export {toolParametersJsonSchema} from './tool-json-schema.js'
export {toolFailure, toolSuccess} from './tool-results.js'
export {createOpenAICompatibleClient, type OpenAICompatibleClientOptions} from './openai-compatible-client.js'
export {BINARY_SAMPLE_BYTES, isBinaryContent} from './binary-content.js'
export {resolveWorkspacePath, workspaceRelative, WORKSPACE_ROOT, WorkspacePathError} from './workspace-path.js'
export {createFakeSandbox, type FakeSandbox, type FakeSandboxOptions} from './fake-sandbox.js'
export {loadCommandContext, type CommandContext} from './command-context.js'
/** The base of the CLI's own commands (--debug, the log file, one error line with its exit code): for plugin commands. */
export {BaseCommand as AgentCommand} from '../cli/base-command.js'
export {editSettingsFile, readSettingsFile} from './settings-edit.js'
export {AuthError, UserInputError} from '../errors.js'

export type {
  RegisteredTool,
  ToolActsOn,
  ToolContext,
  ToolDefinition,
  ToolErrorKind,
  ToolKind,
  ToolProgress,
  ToolResult,
} from '../tools/types.js'
export type {
  DirEntry,
  ExecEvent,
  ExecHandle,
  ExecOptions,
  ExecResult,
  SandboxSession,
  SpawnedProcess,
} from '../sandbox/types.js'
export type {ModelClient, ModelDelta, ModelRequest} from '../agent/model-client.js'
export {silentLogger, type Logger} from '../logging/logger.js'
