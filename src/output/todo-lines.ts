// The model's plan (todo_write) as checklist lines, the same in `agent run`'s text output and interactive mode.
import type {TodoItem} from '../tools/types.js'
import {safeLine} from './sanitize.js'

export interface TodoStyle {
  dim(text: string): string
  bold(text: string): string
  green(text: string): string
}

const plain: TodoStyle = {dim: (t) => t, bold: (t) => t, green: (t) => t}

/** `Plan (1/3 done)` then one line per item: ✓ done, ▸ in progress (bold), ○ pending. */
export function todoLines(todos: readonly TodoItem[], style: TodoStyle = plain): string[] {
  if (todos.length === 0) return [style.dim('Plan cleared')]
  const done = todos.filter((todo) => todo.status === 'completed').length
  const lines = [style.dim(`Plan (${done}/${todos.length} done)`)]
  for (const todo of todos) {
    const text = safeLine(todo.content)
    if (todo.status === 'completed') lines.push(`  ${style.green('✓')} ${style.dim(text)}`)
    else if (todo.status === 'in_progress') lines.push(`  ▸ ${style.bold(text)}`)
    else lines.push(`  ○ ${text}`)
  }
  return lines
}
