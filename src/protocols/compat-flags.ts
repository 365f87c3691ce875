// The flags the Qwen Code SDK, the Claude Agent SDK and Qwen Code scripts pass, accepted by `agent run` (and `agent`).
import {mapPermissionMode, type MappedMode} from './permission-modes.js'

export const INPUT_FORMATS = ['text', 'stream-json'] as const

export interface CompatFlagValues {
  'input-format': (typeof INPUT_FORMATS)[number]
  'output-format': string
  'approval-mode'?: string | undefined
  'permission-mode'?: string | undefined
  'permission-prompt-tool'?: string | undefined
  channel?: string | undefined
  'session-id'?: string | undefined
  resume?: string | undefined
  continue?: boolean | undefined
  'core-tools'?: string | undefined
  'exclude-tools'?: string | undefined
  'allowed-tools'?: string | undefined
  'setting-sources'?: string | undefined
  'fork-session'?: boolean | undefined
  'mcp-config'?: string | undefined
  'fallback-model'?: string | undefined
}

/** What the compatibility flags mean for a run, and what we could not honour (reported once). */
export interface CompatSettings {
  sdkMode: boolean
  /** From --approval-mode or --permission-mode, mapped onto ours. */
  approvalMode: MappedMode | undefined
  /** Ask the SDK before tools run (Qwen SDK always can; Claude's only with --permission-prompt-tool stdio). */
  askClient: boolean
  coreTools: string[] | undefined
  excludeTools: string[] | undefined
  sessionId: string | undefined
  unsupported: string[]
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const splitList = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)

/** Reads the compatibility flags; never throws for a flag we cannot honour (it lands in `unsupported`). */
export function readCompatFlags(flags: CompatFlagValues): CompatSettings {
  const unsupported: string[] = []
  const sdkMode = flags['input-format'] === 'stream-json'
  if (sdkMode && flags['output-format'] !== 'stream-json')
    unsupported.push('--input-format stream-json needs --output-format stream-json')
  const modeName = flags['approval-mode'] ?? flags['permission-mode']
  const approvalMode = modeName === undefined ? undefined : mapPermissionMode(modeName)
  if (approvalMode?.notice) unsupported.push(approvalMode.notice)
  const prompt = flags['permission-prompt-tool']
  if (prompt !== undefined && prompt !== 'stdio') unsupported.push(`--permission-prompt-tool ${prompt} (only stdio)`)
  let sessionId = flags['session-id']
  if (sessionId !== undefined && !UUID.test(sessionId)) {
    unsupported.push(`--session-id ${sessionId} is not a UUID; a new one is used`)
    sessionId = undefined
  }
  if (flags['allowed-tools'] !== undefined) unsupported.push('--allowed-tools (approve through canUseTool instead)')
  if (flags['fork-session']) unsupported.push('--fork-session')
  if (flags['mcp-config'] !== undefined)
    unsupported.push('--mcp-config (list MCP servers under mcpServers in .qwen/settings.json)')
  if (flags['fallback-model'] !== undefined) unsupported.push('--fallback-model')
  return {
    sdkMode,
    approvalMode,
    askClient: flags.channel === 'SDK' || prompt === 'stdio',
    coreTools: splitList(flags['core-tools']),
    excludeTools: splitList(flags['exclude-tools']),
    sessionId,
    unsupported,
  }
}
