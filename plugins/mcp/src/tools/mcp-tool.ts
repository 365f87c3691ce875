// One tool of an MCP server as an agent tool: its JSON schema shown as given, the call made through the server's client.
import {CallToolResultSchema, type CallToolResult, type Tool} from '@modelcontextprotocol/sdk/types.js'
import {AjvJsonSchemaValidator} from '@modelcontextprotocol/sdk/validation/ajv'
import {defineTool, toolFailure, toolSuccess, z, type ToolDefinition} from 'sandboxed-agent/plugin'

import {DEFAULT_CALL_TIMEOUT_MS} from '../config/server-config.js'
import type {ConnectedServer} from '../connect-server.js'
import {cutForModel} from './cut-for-model.js'
import {resultText} from './result-text.js'

const validators = new AjvJsonSchemaValidator()

/** Thrown when a listed tool's input schema cannot be used: the tool is left out. */
export class InvalidToolSchema extends Error {}

/**
 * Builds the agent tool for `tool` as registered under `name`. Its arguments are checked against the server's JSON
 * schema before the call (an invalid call goes back to the model); the result is text, cut like other tools' output.
 */
export function mcpTool(server: ConnectedServer, tool: Tool, name: string): ToolDefinition<unknown> {
  const schema = tool.inputSchema as Record<string, unknown>
  let validate: (input: unknown) => {valid: boolean; errorMessage?: string | undefined}
  try {
    if (schema?.type !== 'object') throw new Error('its input schema is not of type "object"')
    validate = validators.getValidator(schema)
  } catch (error) {
    throw new InvalidToolSchema((error as Error).message)
  }
  const parameters = z.looseObject({}).superRefine((value, context) => {
    const verdict = validate(value)
    if (!verdict.valid) context.addIssue({code: 'custom', message: verdict.errorMessage ?? 'does not match the schema'})
  })
  const {config} = server
  const timeout = config.entry.timeout ?? DEFAULT_CALL_TIMEOUT_MS
  const where = config.runsIn === 'sandbox' ? 'runs in the sandbox' : `reached from the host at ${hostOf(config)}`
  return defineTool({
    name,
    displayName: `${tool.title ?? tool.name} (${config.name})`,
    description: `${tool.description?.trim() || tool.name} (MCP server ${config.name}, ${where})`,
    parameters,
    inputJsonSchema: schema,
    kind: 'mcp',
    actsOn: config.runsIn,
    ...(config.entry.trust === true ? {trusted: true} : {}),
    describe: (params) => `${config.name}: ${tool.name} ${clip(JSON.stringify(params), 120)}`,
    async execute(params, {signal}) {
      const gone = server.gone()
      if (gone) return toolFailure('execution_failed', `MCP server ${config.name} is not running (it ${gone})`)
      let result
      try {
        result = await server.client.callTool(
          {name: tool.name, arguments: params as Record<string, unknown>},
          CallToolResultSchema,
          {signal, timeout},
        )
      } catch (error) {
        if (signal.aborted) return toolFailure('canceled', 'Cancelled by the user.')
        const ended = server.gone()
        if (ended)
          return toolFailure('execution_failed', `MCP server ${config.name} stopped during the call: it ${ended}`)
        return toolFailure('execution_failed', `MCP server ${config.name} failed the call: ${describeError(error)}`)
      }
      // An old server's `toolResult` (protocol 2024-10-07) is shown as JSON.
      const text = cutForModel(
        Array.isArray(result.content)
          ? resultText(result as CallToolResult)
          : JSON.stringify(result.toolResult ?? null),
      )
      if (result.isError) return toolFailure('execution_failed', text || `${tool.name} reported an error`)
      const lines = text === '' ? 0 : text.split('\n').length
      return toolSuccess(
        text === '' ? '(no output)' : text,
        `${tool.name} returned ${lines} line${lines === 1 ? '' : 's'}`,
      )
    },
  })
}

function hostOf(config: ConnectedServer['config']): string {
  const url = config.entry.httpUrl ?? config.entry.url
  try {
    return new URL(url ?? '').host
  } catch {
    return 'its URL'
  }
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const first = message.split('\n')[0] ?? message
  if (/timed? ?out|-32001/i.test(first)) return `no answer in time (${first})`
  if (error instanceof z.ZodError || /invalid_type|expected|Invalid input/i.test(message))
    return 'its answer does not follow the MCP protocol'
  return first
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}
