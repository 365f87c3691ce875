// The loop with a fake model, fake tools and a fake session: order, validation feedback, approvals, limits, cancel.
import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {AgentError} from '../errors.js'
import type {SandboxSession} from '../sandbox/types.js'
import type {ToolDefinition} from '../tools/types.js'
import {createApprovals, type ApprovalPrompter} from './approvals.js'
import type {AgentEvent} from './events.js'
import type {ModelClient, ModelDelta, ModelMessage, ModelRequest} from './model-client.js'
import {runAgent, type RunAgentOptions} from './run-agent.js'

/** A model that plays one list of deltas per turn and keeps every request. */
function fakeModel(turns: (ModelDelta[] | Error)[]): ModelClient & {requests: ModelRequest[]} {
  const requests: ModelRequest[] = []
  return {
    model: 'fake-model',
    requests,
    async *stream(request, signal) {
      requests.push(structuredClone(request))
      const turn = turns[requests.length - 1]
      if (turn === undefined) throw new Error('fake model: no more turns')
      if (turn instanceof Error) throw turn
      for (const delta of turn) {
        if (signal.aborted) throw new Error('aborted')
        yield delta
      }
    },
  }
}

const say = (text: string, usage = {inputTokens: 10, outputTokens: 5}): ModelDelta[] => [
  {type: 'text', text},
  {type: 'usage', usage},
  {type: 'done', finishReason: 'stop'},
]

const call = (...calls: {id: string; name: string; arguments: string}[]): ModelDelta[] => [
  {type: 'tool_calls', calls},
  {type: 'usage', usage: {inputTokens: 20, outputTokens: 8}},
  {type: 'done', finishReason: 'tool_calls'},
]

const session = {id: 'sess-1', hostWorkspace: '/project'} as unknown as SandboxSession

const shell: ToolDefinition<{command: string; is_background: boolean}> = {
  name: 'run_shell_command',
  description: 'Runs a shell command. More text.',
  parameters: z.object({command: z.string(), is_background: z.boolean()}),
  kind: 'execute',
  actsOn: 'sandbox',
  describe: (p) => p.command,
  async execute(params, context) {
    if (!context.callId) throw new Error('no call id in the tool context')
    context.onProgress?.({stream: 'stdout', chunk: `running ${params.command}\n`})
    await new Promise((resolve) => setTimeout(resolve, 5))
    context.onProgress?.({stream: 'stderr', chunk: 'warn\n'})
    return {forModel: `Command: ${params.command}\nExit Code: 0`, forUser: 'ok'}
  },
}

const hostTool: ToolDefinition<{url: string}> = {
  name: 'open_browser',
  description: 'Opens a URL on the host.',
  parameters: z.object({url: z.string()}),
  kind: 'other',
  actsOn: 'host',
  async execute() {
    return {forModel: 'opened', forUser: 'opened'}
  },
}

async function run(model: ModelClient, options: Partial<RunAgentOptions> = {}): Promise<AgentEvent[]> {
  const events: AgentEvent[] = []
  for await (const event of runAgent({
    model,
    tools: [shell as ToolDefinition<unknown>, hostTool as ToolDefinition<unknown>],
    session,
    approvals: createApprovals({mode: 'default'}),
    signal: new AbortController().signal,
    maxTurns: 10,
    prompt: 'fix it',
    ...options,
  })) {
    events.push(event)
  }
  return events
}

const types = (events: AgentEvent[]) => events.map((e) => e.type)
const toolMessages = (model: {requests: ModelRequest[]}, turn: number) =>
  model.requests[turn]?.messages.filter((m) => m.role === 'tool') ?? []

describe('runAgent', () => {
  it('runs a model turn, the tool calls in order, feeds results back, and finishes when the model stops calling tools', async () => {
    const model = fakeModel([
      call(
        {id: 'c1', name: 'run_shell_command', arguments: '{"command":"ls","is_background":false}'},
        {id: 'c2', name: 'run_shell_command', arguments: '{"command":"npm test","is_background":false}'},
      ),
      say('All done.'),
    ])
    const events = await run(model)
    expect(types(events)).toEqual([
      'session_started',
      'turn_started',
      'usage',
      'assistant_message',
      'tool_call_started',
      'tool_output',
      'tool_output',
      'tool_call_finished',
      'tool_call_started',
      'tool_output',
      'tool_output',
      'tool_call_finished',
      'turn_started',
      'text_delta',
      'usage',
      'assistant_message',
      'run_finished',
    ])
    expect(events[0]).toEqual({
      type: 'session_started',
      sessionId: 'sess-1',
      model: 'fake-model',
      cwd: '/project',
      tools: ['run_shell_command', 'open_browser'],
      approvalMode: 'default',
    })
    expect(events.find((e) => e.type === 'tool_call_started')).toMatchObject({description: 'ls', kind: 'execute'})
    expect(toolMessages(model, 1)).toEqual([
      {role: 'tool', toolCallId: 'c1', content: 'Command: ls\nExit Code: 0'},
      {role: 'tool', toolCallId: 'c2', content: 'Command: npm test\nExit Code: 0'},
    ])
    expect(events.at(-1)).toMatchObject({
      type: 'run_finished',
      reason: 'completed',
      turns: 2,
      usage: {inputTokens: 30, outputTokens: 13},
    })
  })

  it('sends a system prompt naming the sandbox, /workspace, the tools and who changes the host', async () => {
    const model = fakeModel([say('hi')])
    await run(model)
    const system = model.requests[0]?.messages[0]
    expect(system?.role).toBe('system')
    expect(system?.content).toMatch(/\/workspace/)
    expect(system?.content).toMatch(/run_shell_command: Runs a shell command\./)
    expect(system?.content).toMatch(/apply/)
    expect(model.requests[0]?.messages[1]).toEqual({role: 'user', content: 'fix it'})
    expect(model.requests[0]?.tools.map((t) => t.name)).toEqual(['run_shell_command', 'open_browser'])
    expect(model.requests[0]?.tools[0]?.parameters).toMatchObject({
      type: 'object',
      required: ['command', 'is_background'],
    })
  })

  it('feeds an unknown tool, invalid JSON and schema violations back to the model and keeps going', async () => {
    const model = fakeModel([
      call(
        {id: 'u', name: 'delete_everything', arguments: '{}'},
        {id: 'j', name: 'run_shell_command', arguments: '{"command": "ls'},
        {id: 's', name: 'run_shell_command', arguments: '{"command": 42}'},
      ),
      say('sorry'),
    ])
    const events = await run(model)
    const results = events.flatMap((e) => (e.type === 'tool_call_finished' ? [e.result] : []))
    expect(results.map((r) => r.error?.kind)).toEqual(['unknown_tool', 'invalid_parameters', 'invalid_parameters'])
    const [unknown, json, schema] = toolMessages(model, 1).map((m) => (m.role === 'tool' ? m.content : ''))
    expect(unknown).toBe(
      'Tool "delete_everything" does not exist. Available tools: run_shell_command, open_browser. Call one of those instead.',
    )
    expect(json).toMatch(
      /^The arguments for run_shell_command are not valid JSON \(.+\)\. You sent: \{"command": "ls\n/,
    )
    expect(schema).toMatch(
      /^Invalid parameters for run_shell_command:\n- command: .*expected string.*\n- is_background: .*expected boolean/,
    )
    // The bad JSON is not echoed back as the assistant's arguments.
    const assistant = model.requests[1]?.messages.find((m) => m.role === 'assistant')
    expect(assistant).toMatchObject({toolCalls: [{arguments: '{}'}, {arguments: '{}'}, {arguments: '{"command":42}'}]})
    expect(events.at(-1)).toMatchObject({type: 'run_finished', reason: 'completed'})
  })

  it('stops at max turns and says so', async () => {
    const again = call({id: 'c', name: 'run_shell_command', arguments: '{"command":"ls","is_background":false}'})
    const model = fakeModel([again, again, again])
    const events = await run(model, {maxTurns: 2})
    expect(model.requests).toHaveLength(2)
    expect(events.at(-1)).toMatchObject({type: 'run_finished', reason: 'max_turns', turns: 2})
  })

  it('refuses a host tool in a non-interactive run unless yolo', async () => {
    const model = fakeModel([call({id: 'h', name: 'open_browser', arguments: '{"url":"x"}'}), say('ok')])
    const events = await run(model)
    const finished = events.find((e) => e.type === 'tool_call_finished')
    expect(finished).toMatchObject({result: {error: {kind: 'refused'}}})
    expect(toolMessages(model, 1)[0]).toMatchObject({
      content: expect.stringMatching(/acts on the host.*--approval-mode yolo/),
    })

    const yolo = fakeModel([call({id: 'h', name: 'open_browser', arguments: '{"url":"x"}'}), say('ok')])
    const allowed = await run(yolo, {approvals: createApprovals({mode: 'yolo'})})
    expect(allowed.find((e) => e.type === 'tool_call_finished')).toMatchObject({result: {forModel: 'opened'}})
  })

  it('asks the prompter on a TTY, announces the question, and passes a denial to the model', async () => {
    const asked: string[] = []
    const prompter: ApprovalPrompter = {
      async ask(request) {
        asked.push(`${request.toolName}:${request.alwaysScope}`)
        return {outcome: 'deny', reason: 'not now'}
      },
    }
    const model = fakeModel([
      call({id: 'c', name: 'run_shell_command', arguments: '{"command":"git push","is_background":false}'}),
      say('ok'),
    ])
    const events = await run(model, {approvals: createApprovals({mode: 'default', prompter})})
    expect(asked).toEqual(['run_shell_command:git push'])
    expect(types(events)).toContain('approval_needed')
    expect(toolMessages(model, 1)[0]).toMatchObject({content: 'The user denied this tool call. Reason: not now'})
  })

  it('turns a model failure into run_failed with the one-line message', async () => {
    const model = fakeModel([
      new AgentError('Model request to http://x/v1/chat/completions failed with HTTP 500', {hint: 'Try later'}),
    ])
    const events = await run(model)
    expect(events.at(-1)).toMatchObject({
      type: 'run_failed',
      message: 'Model request to http://x/v1/chat/completions failed with HTTP 500. Try later',
      turns: 1,
    })
  })

  it('turns a tool that throws into a failed result, not a failed run', async () => {
    const broken: ToolDefinition<unknown> = {
      ...(shell as ToolDefinition<unknown>),
      execute: async () => Promise.reject(new Error('boom')),
    }
    const model = fakeModel([
      call({id: 'c', name: 'run_shell_command', arguments: '{"command":"ls","is_background":false}'}),
      say('ok'),
    ])
    const events = await run(model, {tools: [broken]})
    expect(toolMessages(model, 1)[0]).toMatchObject({content: 'Tool run_shell_command failed: boom'})
    expect(events.at(-1)).toMatchObject({reason: 'completed'})
  })

  it('ends the run when a tool failed because the sandbox container is gone (nothing more can run)', async () => {
    const probes: string[] = []
    const dead = {
      ...session,
      exec: (command: string) => {
        probes.push(command)
        return {result: Promise.resolve({containerGone: true})}
      },
    } as unknown as SandboxSession
    const broken: ToolDefinition<unknown> = {
      ...(shell as ToolDefinition<unknown>),
      execute: async () => ({
        forModel: 'Error: The sandbox container went away',
        forUser: 'gone',
        error: {kind: 'execution_failed', message: 'The sandbox container went away'},
      }),
    }
    const model = fakeModel([
      call({id: 'c', name: 'run_shell_command', arguments: '{"command":"sleep 60","is_background":false}'}),
      say('never asked'),
    ])
    const events = await run(model, {tools: [broken], session: dead})
    expect(probes).toEqual(['true'])
    expect(model.requests).toHaveLength(1)
    expect(events.at(-2)).toMatchObject({type: 'tool_call_finished', result: {error: {kind: 'execution_failed'}}})
    expect(events.at(-1)).toMatchObject({
      type: 'run_failed',
      message: 'The sandbox container stopped while a command ran (killed, or Docker went away)',
    })
  })

  it('on abort cancels the running tool first (its result says so), then ends the run as canceled', async () => {
    const controller = new AbortController()
    const slow: ToolDefinition<unknown> = {
      ...(shell as ToolDefinition<unknown>),
      execute: (_params, context) =>
        new Promise((resolve) => {
          context.signal.addEventListener('abort', () =>
            resolve({
              forModel: 'Command was cancelled by user.',
              forUser: 'cancelled',
              error: {kind: 'canceled', message: 'cancelled'},
            }),
          )
          setTimeout(() => controller.abort(), 10)
        }),
    }
    const model = fakeModel([
      call(
        {id: 'a', name: 'run_shell_command', arguments: '{"command":"sleep 100","is_background":false}'},
        {id: 'b', name: 'run_shell_command', arguments: '{"command":"ls","is_background":false}'},
      ),
      say('never'),
    ])
    const events = await run(model, {tools: [slow], signal: controller.signal})
    const finished = events.filter((e) => e.type === 'tool_call_finished')
    expect(finished.map((e) => e.result.error?.kind)).toEqual(['canceled', 'canceled'])
    expect(events.at(-1)).toMatchObject({type: 'run_finished', reason: 'canceled', turns: 1})
    expect(model.requests).toHaveLength(1)
  })

  it('cancelCurrentTool cancels only the running call; the model hears about it and the run goes on', async () => {
    const slow: ToolDefinition<unknown> = {
      ...(shell as ToolDefinition<unknown>),
      execute: (_params, context) =>
        new Promise((resolve, reject) => {
          context.signal.addEventListener('abort', () => reject(new Error('aborted')))
        }),
    }
    const model = fakeModel([
      call({id: 'a', name: 'run_shell_command', arguments: '{"command":"sleep 100","is_background":false}'}),
      say('ok then'),
    ])
    const agent = runAgent({
      model,
      tools: [slow],
      session,
      approvals: createApprovals({mode: 'yolo'}),
      signal: new AbortController().signal,
      maxTurns: 5,
      prompt: 'p',
    })
    const events: AgentEvent[] = []
    for await (const event of agent) {
      events.push(event)
      if (event.type === 'tool_call_started') setTimeout(() => expect(agent.cancelCurrentTool()).toBe(true), 5)
    }
    expect(agent.cancelCurrentTool()).toBe(false)
    expect(toolMessages(model, 1)[0]).toMatchObject({content: 'Command cancelled by user.'})
    expect(events.at(-1)).toMatchObject({type: 'run_finished', reason: 'completed', turns: 2})
  })

  it('stops waiting for a tool that ignores cancellation after the grace period', async () => {
    const controller = new AbortController()
    const stuck: ToolDefinition<unknown> = {
      ...(shell as ToolDefinition<unknown>),
      execute: () => {
        setTimeout(() => controller.abort(), 5)
        return new Promise(() => {})
      },
    }
    const model = fakeModel([
      call({id: 'a', name: 'run_shell_command', arguments: '{"command":"x","is_background":false}'}),
    ])
    const events = await run(model, {tools: [stuck], signal: controller.signal, cancelGraceMs: 20})
    expect(events.at(-1)).toMatchObject({type: 'run_finished', reason: 'canceled'})
  })

  it('passes retries and tool-call deltas through as events', async () => {
    const model = fakeModel([
      [
        {type: 'retry', attempt: 1, delayMs: 10, reason: 'HTTP 429'},
        {type: 'tool_call_delta', index: 0, id: 'c', name: 'run_shell_command'},
        {type: 'tool_call_delta', index: 0, argumentsDelta: '{}'},
        {type: 'done', finishReason: 'stop'},
      ],
    ])
    const events = await run(model)
    expect(events.filter((e) => e.type === 'model_retry' || e.type === 'tool_call_delta')).toEqual([
      {type: 'model_retry', attempt: 1, delayMs: 10, reason: 'HTTP 429'},
      {type: 'tool_call_delta', index: 0, id: 'c', name: 'run_shell_command'},
      {type: 'tool_call_delta', index: 0, argumentsDelta: '{}'},
    ])
  })

  it('continues a conversation: one system prompt, earlier turns kept, each run appends its own messages', async () => {
    const model = fakeModel([say('first answer'), say('second answer')])
    const conversation: ModelMessage[] = []
    await run(model, {prompt: 'one', conversation})
    await run(model, {prompt: 'two', conversation})
    expect(model.requests[1]?.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(model.requests[1]?.messages.at(-1)).toEqual({role: 'user', content: 'two'})
    expect(conversation.at(-1)).toMatchObject({role: 'assistant', content: 'second answer'})
  })
})

describe('runAgent: loops, plans and the context window', () => {
  const ls = (id: string) => ({id, name: 'run_shell_command', arguments: '{"command":"ls","is_background":false}'})

  it('stops on the fifth identical call (not run) with loop_detected; every call in the history has a result', async () => {
    const model = fakeModel([call(ls('a')), call(ls('b')), call(ls('c')), call(ls('d')), call(ls('e'), ls('f'))])
    const conversation: ModelMessage[] = []
    const events = await run(model, {approvals: createApprovals({mode: 'yolo'}), conversation})
    expect(events.filter((e) => e.type === 'tool_call_finished')).toHaveLength(4)
    expect(events.at(-1)).toMatchObject({
      type: 'run_failed',
      kind: 'loop_detected',
      message: expect.stringMatching(
        /^Loop detected: the model called run_shell_command with the same arguments 5 times/,
      ),
    })
    const ids = conversation.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.id) : []))
    const answered = conversation.flatMap((m) => (m.role === 'tool' ? [m.toolCallId] : []))
    expect(answered).toEqual(ids)
  })

  it('model.skipLoopDetection: the same calls run on', async () => {
    const model = fakeModel([...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => call(ls(id))), say('done')])
    const events = await run(model, {approvals: createApprovals({mode: 'yolo'}), loopDetection: false})
    expect(events.at(-1)).toMatchObject({type: 'run_finished', reason: 'completed'})
  })

  it('a todo_write result becomes a todos_updated event and is recorded', async () => {
    const todos = [{id: '1', content: 'Plan', status: 'in_progress' as const}]
    const planner: ToolDefinition<unknown> = {
      name: 'todo_write',
      description: 'plan',
      parameters: z.unknown(),
      kind: 'think',
      actsOn: 'sandbox',
      async execute() {
        return {forModel: 'ok', forUser: '0/1 done', todos}
      },
    }
    const recorded: unknown[] = []
    const recorder = {
      id: 'r',
      message: () => undefined,
      history: () => undefined,
      usage: () => undefined,
      sandbox: () => undefined,
      end: () => undefined,
      todos: (items: unknown) => recorded.push(items),
    }
    const model = fakeModel([call({id: 't', name: 'todo_write', arguments: '{}'}), say('ok')])
    const events = await run(model, {tools: [planner], recorder})
    expect(events.find((e) => e.type === 'todos_updated')).toEqual({type: 'todos_updated', todos})
    expect(recorded).toEqual([todos])
  })
})
