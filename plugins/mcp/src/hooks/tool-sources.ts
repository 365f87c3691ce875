// The plugin's agent:tool-sources hook: the MCP servers of the settings, connected once each session opens.
import type {ToolSourcesHook} from 'sandboxed-agent/plugin'

import {createMcpToolSource} from '../mcp-source.js'

const hook: ToolSourcesHook = async ({settings}) =>
  settings.mcpServers === undefined ? [] : [createMcpToolSource(settings)]

export default hook
