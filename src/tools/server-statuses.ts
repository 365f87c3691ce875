// What the stream-json init message says about MCP servers: each one a tool source connected to, and its state.
import type {ToolSourceEntry} from './tool-source.js'

/** `{name, status}` per server, in settings order, as Claude Code's and Qwen Code's init messages list them. */
export function serverStatuses(entries: readonly ToolSourceEntry[]): {name: string; status: string}[] {
  return entries.map((entry) => ({name: entry.name, status: entry.state}))
}
