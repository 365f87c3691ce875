// /mcp: the MCP servers of this session: where each runs, its state, its tools, and what went wrong.
import type {SlashCommand} from './slash-command.js'

export const mcpCommand: SlashCommand = {
  name: 'mcp',
  summary: 'List the MCP servers: where each runs, its state and its tools',
  run({options, screen}) {
    const {dim, bold, yellow, green, red} = screen.style
    const sources = options.toolSources?.()
    if (!sources || (sources.entries.length === 0 && sources.notices.length === 0)) {
      screen.note('No MCP servers are configured (mcpServers in settings.json, or agent mcp add).')
      return
    }
    const lines = sources.entries.map((entry) => {
      const state =
        entry.state === 'connected' ? green('connected') : entry.state === 'failed' ? red('failed') : dim('disabled')
      const where = entry.runsIn === 'sandbox' ? 'in the sandbox' : yellow('from the host')
      const tools = entry.tools.length > 0 ? `\n      ${dim(entry.tools.join(', '))}` : ''
      const detail = entry.detail ? ` ${dim(`(${entry.detail})`)}` : ''
      return `  ${bold(entry.name)} ${dim(entry.transport)} ${where} · ${state} · ${entry.tools.length} tools${detail}${tools}`
    })
    const notes = sources.notices.map((notice) => `  ${yellow(notice)}`)
    screen.note(['MCP servers:', ...lines, ...notes].join('\n'))
  },
}
