// The built-in system prompt: a snapshot for the default tools, and only enabled tools are named.
import {describe, expect, it} from 'vitest'

import {createSaveMemoryTool} from '../../tools/save-memory/save-memory-tool.js'
import {createRunShellCommandTool} from '../../tools/shell/index.js'
import {createTodoWriteTool} from '../../tools/todo-write/todo-write-tool.js'
import type {ToolDefinition} from '../../tools/types.js'
import {buildSystemPrompt} from './default-system-prompt.js'

const shell = createRunShellCommandTool() as ToolDefinition<unknown>
const memory = createSaveMemoryTool({file: '/home/user/.qwen/QWEN.md'}) as ToolDefinition<unknown>
const todo = createTodoWriteTool() as ToolDefinition<unknown>

describe('buildSystemPrompt', () => {
  it('matches the snapshot for the default tools and no network', () => {
    expect(buildSystemPrompt([shell, memory, todo], {network: 'none'})).toMatchSnapshot()
  })

  it('names only the tools that are enabled', () => {
    const prompt = buildSystemPrompt([shell])
    expect(prompt).toContain('- run_shell_command:')
    expect(prompt).not.toContain('save_memory')
    expect(prompt).not.toContain('todo_write')
    expect(buildSystemPrompt([])).not.toContain('run_shell_command')
  })

  it('says what the network is', () => {
    expect(buildSystemPrompt([shell], {network: 'none'})).toContain('The sandbox has no network')
    expect(buildSystemPrompt([shell], {network: 'bridge'})).toContain('has network access')
  })
})
