// todo_write, as in Qwen Code: the model keeps a short plan (items pending / in_progress / completed) that the user
// sees as a checklist. Each call sends the whole list; the tool acts on nothing, so it is never asked about.
import {z} from 'zod'

import type {TodoItem, ToolDefinition} from '../types.js'

export const TODO_WRITE_TOOL_NAME = 'todo_write'

const todoItem = z.object({
  id: z.string().trim().min(1).max(500).describe('A short stable id for the item, unique in the list.'),
  content: z.string().trim().min(1).max(2000).describe('What the step is, in a few words.'),
  status: z.enum(['pending', 'in_progress', 'completed']),
})

const parameters = z.object({
  todos: z
    .array(todoItem)
    .max(100)
    .refine((todos) => new Set(todos.map((todo) => todo.id)).size === todos.length, 'Todo ids must be unique.')
    .describe('The whole updated list (it replaces the previous one).'),
})

export type TodoWriteParameters = z.infer<typeof parameters>

const DESCRIPTION = `Creates and updates a short plan the user can follow, shown as a checklist.

Use it for work with several steps (three or more), when the user asks for a plan, or when new requirements change the
plan. Skip it for a single simple step or a question you can answer directly.

Each call sends the whole list, which replaces the previous one. Keep the items few, outcome-oriented and in order;
keep exactly one item in_progress while you work; mark an item completed as soon as it is done and verified (not when
it is only partly done or its tests fail); remove items that no longer apply.`

/** Stateless: every call carries the whole plan, so a resumed conversation needs nothing restored. */
export function createTodoWriteTool(): ToolDefinition<TodoWriteParameters> {
  return Object.freeze({
    name: TODO_WRITE_TOOL_NAME,
    displayName: 'Todo Write',
    description: DESCRIPTION,
    parameters,
    kind: 'think',
    actsOn: 'sandbox',
    describe: (params: TodoWriteParameters) => `Update the plan (${params.todos.length} items)`,
    async execute(params: TodoWriteParameters) {
      const current: TodoItem[] = params.todos.map((todo) => ({
        id: todo.id,
        content: todo.content,
        status: todo.status,
      }))
      const done = current.filter((todo) => todo.status === 'completed').length
      const active = current.filter((todo) => todo.status === 'in_progress').length
      const list = current.map((todo) => `- [${todo.status}] ${todo.content}`).join('\n')
      const forModel =
        current.length === 0
          ? 'The plan is cleared.'
          : `The plan is updated: ${current.length} items, ${done} completed, ${active} in progress. Keep it current ` +
            'as you work: one item in_progress at a time, each marked completed as soon as it is done.\n' +
            `<plan>\n${list}\n</plan>`
      return {
        forModel,
        forUser: current.length === 0 ? 'plan cleared' : `${done}/${current.length} done`,
        todos: current,
      }
    },
  } satisfies ToolDefinition<TodoWriteParameters>)
}
