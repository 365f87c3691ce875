// todo_write: the whole plan in, the plan out (for the user and the saved session), bad lists refused by the schema.
import {describe, expect, it} from 'vitest'

import {toolParametersSchema} from '../../agent/tool-schemas.js'
import {createTodoWriteTool} from './todo-write-tool.js'

const tool = createTodoWriteTool()
const context = {} as Parameters<typeof tool.execute>[1]

describe('todo_write', () => {
  it('returns the plan for the model, a count for people and the items for the transcript', async () => {
    const params = tool.parameters.parse({
      todos: [
        {id: '1', content: 'Run the tests', status: 'completed'},
        {id: '2', content: 'Fix add()', status: 'in_progress'},
        {id: '3', content: 'Run the tests again', status: 'pending'},
      ],
    })
    const result = await tool.execute(params, context)
    expect(result.forUser).toBe('1/3 done')
    expect(result.forModel).toContain('<plan>\n- [completed] Run the tests\n- [in_progress] Fix add()\n')
    expect(result.todos).toEqual(params.todos)
    expect(tool.kind).toBe('think')
    expect(tool.actsOn).toBe('sandbox')
  })

  it('refuses duplicate ids, unknown statuses and empty items; the schema is Qwen Code’s shape', () => {
    expect(
      tool.parameters.safeParse({
        todos: [
          {id: '1', content: 'a', status: 'pending'},
          {id: '1', content: 'b', status: 'pending'},
        ],
      }).success,
    ).toBe(false)
    expect(tool.parameters.safeParse({todos: [{id: '1', content: 'a', status: 'done'}]}).success).toBe(false)
    expect(tool.parameters.safeParse({todos: [{id: '1', content: ' ', status: 'pending'}]}).success).toBe(false)
    const schema = toolParametersSchema(tool.parameters) as {properties: {todos: {items: {required: string[]}}}}
    expect(schema.properties.todos.items.required).toEqual(['id', 'content', 'status'])
  })
})
