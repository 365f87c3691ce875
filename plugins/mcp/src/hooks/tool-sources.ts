// The plugin's agent:tool-sources hook: the MCP servers of the settings, connected once each session opens.
import type {ToolSourcesHook} from 'sandboxed-agent/plugin'

// The MCP SDK (and its JSON-schema validator) is loaded only when servers are configured: most runs have none, and
// importing it cost every `agent run` ~0.1-0.3 s before its first model request.
const hook: ToolSourcesHook = async ({settings}) => {
  if (settings.mcpServers === undefined) return []
  const {createMcpToolSource} = await import('../mcp-source.js')
  return [createMcpToolSource(settings)]
}

export default hook
