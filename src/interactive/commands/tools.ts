// /tools: every registered tool, where it comes from, and which are on.
import type {SlashCommand} from './slash-command.js'

export const toolsCommand: SlashCommand = {
  name: 'tools',
  summary: 'List the tools the agent can use',
  run({options, screen}) {
    const {dim, bold, yellow, green} = screen.style
    const enabled = new Set(options.tools.map((tool) => tool.name))
    const lines = options.registered.map(({definition, source}) => {
      const state = enabled.has(definition.name) ? green('on ') : dim('off')
      const where = definition.actsOn === 'host' ? yellow(' host') : ''
      return `  ${state} ${bold(definition.name)} ${dim(`${definition.kind}${source === 'core' ? '' : ` · ${source}`}`)}${where}`
    })
    screen.note(`Tools (settings tools.core / tools.exclude choose which are on):\n${lines.join('\n')}`)
  },
}
