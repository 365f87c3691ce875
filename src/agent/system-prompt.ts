// The short system prompt: where the agent works (a sandbox copy at /workspace), its tools, and who changes the host.
import type {ToolDefinition} from '../tools/types.js'

export function buildSystemPrompt(tools: readonly ToolDefinition<unknown>[]): string {
  const toolLines = tools.map((tool) => `- ${tool.name}: ${firstSentence(tool.description)}`).join('\n')
  return [
    "You are a coding agent working on the user's project.",
    '',
    'You work inside a Docker sandbox. /workspace holds a copy of the project and is your working directory; relative',
    "paths are resolved against it. Every tool call runs inside the sandbox. Nothing you do changes the user's files on",
    'the host: when you finish, the user reviews your changes and decides whether to apply them.',
    '',
    'Tools:',
    toolLines || '- (none)',
    '',
    'Work in small steps: look before you change, make the change, then verify it (run the tests or the program).',
    'When the task is done, answer with a short summary of what you changed and how you checked it, without calling a tool.',
  ].join('\n')
}

function firstSentence(text: string): string {
  const line = text.trim().split('\n')[0] ?? ''
  const end = line.search(/\.(\s|$)/)
  return end >= 0 ? line.slice(0, end + 1) : line
}
