// Test helper: validates parameters as the agent would, then runs a tool against a fake sandbox.
import {
  createFakeSandbox,
  silentLogger,
  type FakeSandbox,
  type ToolDefinition,
  type ToolResult,
} from 'sandboxed-agent/plugin'

export async function runTool<P>(tool: ToolDefinition<P>, sandbox: FakeSandbox, params: unknown): Promise<ToolResult> {
  const parsed = tool.parameters.parse(params)
  return tool.execute(parsed, {session: sandbox, signal: new AbortController().signal, log: silentLogger()})
}

export {createFakeSandbox}
