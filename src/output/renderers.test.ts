// The renderers on one recorded event stream: stream-json/json validated against the exported schema, text split stdout/stderr.
import {describe, expect, it, vi} from 'vitest'

import type {AgentEvent} from '../agent/events.js'
import {createRenderer, type RendererOptions} from './create-renderer.js'
import type {OutputFormat, RenderIO} from './renderer.js'
import {streamJsonMessageSchema, type StreamJsonMessage} from './stream-json-schema.js'

const usage = {inputTokens: 100, outputTokens: 20}

const events: AgentEvent[] = [
  {
    type: 'session_started',
    sessionId: 'sa-1234',
    model: 'qwen3-coder',
    cwd: '/home/me/project',
    tools: ['run_shell_command'],
    approvalMode: 'default',
  },
  {type: 'turn_started', turn: 1},
  {type: 'model_retry', attempt: 1, delayMs: 500, reason: 'HTTP 429'},
  {type: 'text_delta', text: 'Let me '},
  {type: 'text_delta', text: 'run the tests.'},
  {type: 'tool_call_delta', index: 0, id: 'call_1', name: 'run_shell_command'},
  {type: 'tool_call_delta', index: 0, argumentsDelta: '{"command":"npm test",'},
  {type: 'tool_call_delta', index: 0, argumentsDelta: '"is_background":false}'},
  {type: 'usage', usage},
  {
    type: 'assistant_message',
    text: 'Let me run the tests.',
    toolCalls: [{id: 'call_1', name: 'run_shell_command', input: {command: 'npm test', is_background: false}}],
  },
  {
    type: 'tool_call_started',
    id: 'call_1',
    name: 'run_shell_command',
    kind: 'execute',
    actsOn: 'sandbox',
    description: 'npm test',
    input: {command: 'npm test', is_background: false},
  },
  {type: 'tool_output', id: 'call_1', stream: 'stdout', chunk: '> test\nok 1 - adds'},
  {type: 'tool_output', id: 'call_1', stream: 'stdout', chunk: ' numbers\n'},
  {
    type: 'tool_call_finished',
    id: 'call_1',
    name: 'run_shell_command',
    result: {forModel: 'Command: npm test\nExit Code: 0', forUser: '$ npm test\n(exit code 0)'},
    durationMs: 1200,
  },
  {type: 'turn_started', turn: 2},
  {type: 'text_delta', text: 'All tests pass.'},
  {type: 'usage', usage: {inputTokens: 150, outputTokens: 10}},
  {type: 'assistant_message', text: 'All tests pass.', toolCalls: []},
  {type: 'run_finished', reason: 'completed', turns: 2, usage: {inputTokens: 250, outputTokens: 30}, durationMs: 4321},
  {
    type: 'changes_ready',
    changes: {
      sessionId: 'sa-1234',
      changes: [
        {path: 'src/add.js', kind: 'modified', entryType: 'file', binary: false},
        {path: 'NOTES.md', kind: 'added', entryType: 'file', binary: false},
      ],
    },
  },
]

function render(format: OutputFormat, list: AgentEvent[], options: RendererOptions = {}) {
  const written = {stdout: '', stderr: ''}
  const io: RenderIO = {
    stdout: {write: (text: string) => (written.stdout += text)},
    stderr: {write: (text: string) => (written.stderr += text)},
  }
  const renderer = createRenderer(format, io, {...options, color: false})
  for (const event of list) renderer.handle(event)
  renderer.finish()
  return written
}

function parseLines(stdout: string): StreamJsonMessage[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const message = JSON.parse(line) as unknown
      // Parsing must keep every field: nothing we write is unknown to the schema.
      expect(streamJsonMessageSchema.parse(message)).toEqual(message)
      return message as StreamJsonMessage
    })
}

describe('stream-json renderer', () => {
  it('writes one schema-valid message per line: init, assistant, user, assistant, result', () => {
    const {stdout, stderr} = render('stream-json', events)
    const messages = parseLines(stdout)
    expect(messages.map((m) => ('subtype' in m ? `${m.type}:${m.subtype}` : m.type))).toEqual([
      'system:init',
      'system:model_retry',
      'assistant',
      'user',
      'assistant',
      'result:success',
    ])
    expect(stderr).toBe('')
    // session_id is the conversation's UUID, the same on every message; the sandbox has its own id.
    expect(new Set(messages.map((m) => m.session_id)).size).toBe(1)
    expect(messages[0]?.session_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(messages[0]).toMatchObject({
      sandbox_session_id: 'sa-1234',
      mcp_servers: [],
      cwd: '/home/me/project',
      tools: ['run_shell_command'],
      model: 'qwen3-coder',
      permission_mode: 'default',
      permissionMode: 'default',
    })
    expect(messages[2]).toMatchObject({
      type: 'assistant',
      message: {
        role: 'assistant',
        content: [
          {type: 'text', text: 'Let me run the tests.'},
          {
            type: 'tool_use',
            id: 'call_1',
            name: 'run_shell_command',
            input: {command: 'npm test', is_background: false},
          },
        ],
        stop_reason: 'tool_use',
        usage: {input_tokens: 100, output_tokens: 20, total_tokens: 120},
      },
    })
    expect(messages[3]).toMatchObject({
      type: 'user',
      message: {
        role: 'user',
        content: [
          {type: 'tool_result', tool_use_id: 'call_1', content: 'Command: npm test\nExit Code: 0', is_error: false},
        ],
      },
    })
    expect(messages.at(-1)).toMatchObject({
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: 2,
      result: 'All tests pass.',
      usage: {input_tokens: 250, output_tokens: 30, total_tokens: 280},
      sandbox_session_id: 'sa-1234',
      permission_denials: [],
      changed_files: [
        {path: 'src/add.js', kind: 'modified'},
        {path: 'NOTES.md', kind: 'added'},
      ],
    })
  })

  it('names each MCP server and its status in the init message, as listed when it is written', () => {
    const init = (servers: {name: string; status: string}[]) =>
      parseLines(render('stream-json', events.slice(0, 1), {mcpServers: () => servers}).stdout)[0]
    expect(init([])).toMatchObject({mcp_servers: []})
    const servers = [
      {name: 'fx', status: 'connected'},
      {name: 'dead', status: 'failed'},
    ]
    expect(init(servers)).toMatchObject({
      mcp_servers: [
        {name: 'fx', status: 'connected'},
        {name: 'dead', status: 'failed'},
      ],
    })
    expect(JSON.parse(render('json', events, {mcpServers: () => servers}).stdout)[0]).toMatchObject({
      subtype: 'init',
      mcp_servers: servers,
    })
  })

  it('adds stream_event partial messages only with --include-partial-messages', () => {
    const messages = parseLines(render('stream-json', events, {includePartialMessages: true}).stdout)
    const partial = messages.flatMap((m) => (m.type === 'stream_event' ? [m.event] : []))
    expect(partial.slice(0, 9)).toEqual([
      {type: 'message_start', message: {id: 'msg_1', role: 'assistant', model: 'qwen3-coder', content: []}},
      {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}},
      {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'Let me '}},
      {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'run the tests.'}},
      {
        type: 'content_block_start',
        index: 1,
        content_block: {type: 'tool_use', id: 'call_1', name: 'run_shell_command', input: {}},
      },
      {
        type: 'content_block_delta',
        index: 1,
        delta: {type: 'input_json_delta', partial_json: '{"command":"npm test",'},
      },
      {
        type: 'content_block_delta',
        index: 1,
        delta: {type: 'input_json_delta', partial_json: '"is_background":false}'},
      },
      {type: 'content_block_stop', index: 0},
      {type: 'content_block_stop', index: 1},
    ])
    expect(partial).toContainEqual({type: 'message_stop'})
    expect(partial).toContainEqual({
      type: 'tool_progress',
      tool_use_id: 'call_1',
      content: {stream: 'stdout', text: ' numbers\n'},
    })
  })

  it('reports max turns, refusals and failures as error results', () => {
    const refused: AgentEvent[] = [
      events[0] as AgentEvent,
      {type: 'turn_started', turn: 1},
      {type: 'assistant_message', text: '', toolCalls: [{id: 'h', name: 'open_browser', input: {url: 'x'}}]},
      {
        type: 'tool_call_started',
        id: 'h',
        name: 'open_browser',
        kind: 'other',
        actsOn: 'host',
        description: 'x',
        input: {url: 'x'},
      },
      {
        type: 'tool_call_finished',
        id: 'h',
        name: 'open_browser',
        result: {forModel: 'refused', forUser: 'refused', error: {kind: 'refused', message: 'refused'}},
        durationMs: 1,
      },
      {type: 'run_finished', reason: 'max_turns', turns: 1, usage, durationMs: 10},
    ]
    const maxTurns = parseLines(render('stream-json', refused).stdout).at(-1)
    expect(maxTurns).toMatchObject({
      subtype: 'error_max_turns',
      is_error: true,
      permission_denials: [{tool_name: 'open_browser', tool_use_id: 'h', tool_input: {url: 'x'}}],
    })
    const failed = parseLines(
      render('stream-json', [
        events[0] as AgentEvent,
        {type: 'run_failed', message: 'Model request failed with HTTP 500', turns: 1, usage, durationMs: 5},
      ]).stdout,
    ).at(-1)
    expect(failed).toMatchObject({
      subtype: 'error_during_execution',
      is_error: true,
      error: {type: 'error', message: 'Model request failed with HTTP 500'},
    })
    const failedAfterRun = parseLines(
      render('stream-json', [
        events[0] as AgentEvent,
        {type: 'run_finished', reason: 'completed', turns: 3, usage, durationMs: 10},
        {
          type: 'run_failed',
          message: 'Docker went away',
          turns: 0,
          usage: {inputTokens: 0, outputTokens: 0},
          durationMs: 0,
        },
      ]).stdout,
    ).at(-1)
    expect(failedAfterRun).toMatchObject({
      subtype: 'error_during_execution',
      num_turns: 3,
      usage: {input_tokens: 100, output_tokens: 20},
      error: {message: 'Docker went away'},
    })
  })
})

describe('json renderer', () => {
  it('prints the same messages as one array at the end, without partial messages', () => {
    const {stdout} = render('json', events, {includePartialMessages: true})
    expect(stdout.endsWith('\n')).toBe(true)
    const messages = JSON.parse(stdout) as unknown[]
    for (const message of messages) expect(streamJsonMessageSchema.parse(message)).toEqual(message)
    expect(messages.map((m) => (m as {type: string}).type)).toEqual([
      'system',
      'system',
      'assistant',
      'user',
      'assistant',
      'result',
    ])
  })
})

describe('text renderer', () => {
  it('never lets command output or model text act on the terminal', () => {
    const started = events.find((e) => e.type === 'tool_call_started') as AgentEvent
    const hostile: AgentEvent[] = [
      started,
      // OSC 52 (write the clipboard), clear screen, bell, an escape cut across two chunks, a progress bar.
      {
        type: 'tool_output',
        id: 'call_1',
        stream: 'stdout',
        chunk: 'a\u001B]52;c;ZXZpbA==\u0007b\u001B[2Jc\u0007 \u001B[',
      },
      {type: 'tool_output', id: 'call_1', stream: 'stdout', chunk: '1Ad\n10%\r100%\n'},
    ]
    const {stderr} = render('text', hostile)
    // eslint-disable-next-line no-control-regex -- control characters are what must not get through
    expect(stderr).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/)
    expect(stderr).toContain('  │ abc d\n  │ 100%\n')

    const written = {stdout: '', stderr: ''}
    const tty = {isTTY: true, write: (text: string) => (written.stdout += text)}
    const renderer = createRenderer('text', {stdout: tty, stderr: {write: () => true}}, {color: false, markdown: false})
    renderer.handle({type: 'text_delta', text: 'ok\u001B]0;pwned\u0007\n'})
    expect(written.stdout).toBe('ok\\e]0;pwned\\x07\n')
  })

  it('keeps the colours of command output with showColor (colours on), only colours, reset at each line end', () => {
    const started = events.find((e) => e.type === 'tool_call_started') as AgentEvent
    const colored: AgentEvent[] = [
      started,
      {type: 'tool_output', id: 'call_1', stream: 'stdout', chunk: '\u001B[31mred\u001B[2J words\nplain'},
      {
        type: 'tool_call_finished',
        id: 'call_1',
        name: 'run_shell_command',
        result: {forModel: 'ok', forUser: 'exit code 0'},
        durationMs: 5,
      },
    ]
    const show = (showColor: boolean, color = true) => {
      let stderr = ''
      const renderer = createRenderer(
        'text',
        {stdout: {write: () => true}, stderr: {write: (text: string) => (stderr += text)}},
        {color, markdown: false, showColor: () => showColor},
      )
      for (const event of colored) renderer.handle(event)
      return stderr
    }
    expect(show(true)).toContain('\u001B[31mred words\u001B[0m\n')
    expect(show(true)).toContain('plain\u001B[0m\n')
    expect(show(false)).toContain('red words\n')
    expect(show(false)).not.toContain('\u001B[31m')
    expect(show(true, false)).not.toContain('\u001B')
  })

  it('renders markdown on a terminal, escape sequences shown as text in front of it; piped, the text is as it came', async () => {
    const reply =
      '# Plan\n\nRun **all** the tests\u001B[2J.\n\n```sh\nnpm test\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
    const deltas: AgentEvent[] = [
      {type: 'text_delta', text: reply.slice(0, 20)},
      {type: 'text_delta', text: reply.slice(20)},
      {type: 'assistant_message', text: reply, toolCalls: []},
    ]
    const written = {stdout: ''}
    const tty = {isTTY: true, columns: 60, write: (text: string) => (written.stdout += text)}
    const renderer = createRenderer('text', {stdout: tty, stderr: {write: () => true}}, {color: false, markdown: true})
    // The blocks complete before the message ends are rendered once the libraries have loaded.
    renderer.handle(deltas[0] as AgentEvent)
    renderer.handle(deltas[1] as AgentEvent)
    await vi.waitFor(() => expect(written.stdout).toContain('Plan'), {timeout: 60_000})
    renderer.handle(deltas[2] as AgentEvent)
    expect(written.stdout).not.toContain('**')
    expect(written.stdout).not.toContain('```')
    expect(written.stdout).not.toContain('|---|')
    expect(written.stdout).toContain('Run all the tests\\e[2J.')
    // eslint-disable-next-line no-control-regex -- the table's own colours
    expect(written.stdout.replace(/\u001B\[[0-9;]*m/g, '')).toMatch(/┌─+┬─+┐\n│ a +│ b +│/)
    expect(written.stdout).toContain('npm test')
    // eslint-disable-next-line no-control-regex -- no escape character reaches the terminal but the renderer's own
    expect(written.stdout.replace(/\u001B\[[0-9;]*m/g, '')).not.toMatch(/\u001B/)

    // Piped (stdout not a terminal): the model's text exactly as it came.
    const {stdout} = render('text', deltas)
    expect(stdout).toBe(reply)
  })

  it('streams model text to stdout and the work (tool calls, live output, summary) to stderr', () => {
    const {stdout, stderr} = render('text', events)
    expect(stdout).toBe('Let me run the tests.\nAll tests pass.\n')
    expect(stderr).toContain('● run_shell_command npm test\n')
    expect(stderr).toContain('  │ > test\n  │ ok 1 - adds numbers\n')
    expect(stderr).toContain('model request failed (HTTP 429); retry 1 in 0.5s')
    expect(stderr).toContain('  ✓ (exit code 0) · 1.2s\n')
    expect(stderr).not.toContain('$ npm test')
    expect(stderr).toContain(
      'Done · 2 turns · 250 tokens in / 30 out · 4.3s · 2 files changed\n  M src/add.js\n  A NOTES.md\n',
    )
  })

  it('shows why a call failed and how the run ended', () => {
    const {stderr} = render('text', [
      events[0] as AgentEvent,
      {
        type: 'tool_call_started',
        id: 'u',
        name: 'nope',
        kind: 'other',
        actsOn: 'sandbox',
        description: 'nope',
        input: {},
      },
      {
        type: 'tool_call_finished',
        id: 'u',
        name: 'nope',
        result: {
          forModel: 'Tool "nope" does not exist.',
          forUser: 'unknown tool',
          error: {kind: 'unknown_tool', message: 'x'},
        },
        durationMs: 0,
      },
      {type: 'run_finished', reason: 'max_turns', turns: 3, usage, durationMs: 10},
    ])
    expect(stderr).toContain('  ✗ Tool "nope" does not exist. (unknown tool, 0.0s)')
    expect(stderr).toContain('Stopped: reached the limit of 3 turns (--max-turns)')
  })

  it('marks a command that exited non-zero, and shows a display when nothing streamed', () => {
    const {stderr} = render('text', [
      events[0] as AgentEvent,
      {
        type: 'tool_call_started',
        id: 'a',
        name: 'run_shell_command',
        kind: 'execute',
        actsOn: 'sandbox',
        description: 'false',
        input: {},
      },
      {
        type: 'tool_call_finished',
        id: 'a',
        name: 'run_shell_command',
        result: {forModel: '', forUser: '$ false\n(exit code 1)'},
        durationMs: 0,
      },
      {
        type: 'tool_call_started',
        id: 'e',
        name: 'edit',
        kind: 'edit',
        actsOn: 'sandbox',
        description: 'a.ts',
        input: {},
      },
      {
        type: 'tool_call_finished',
        id: 'e',
        name: 'edit',
        result: {forModel: '', forUser: '-old\n+new\nedited a.ts'},
        durationMs: 0,
      },
    ])
    expect(stderr).toContain('● run_shell_command false\n  ✗ (exit code 1) · 0.0s\n')
    expect(stderr).toContain('● edit a.ts\n  │ -old\n  │ +new\n  ✓ edited a.ts · 0.0s\n')
  })
})
