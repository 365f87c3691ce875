// SDK mode without an SDK: bad lines on stdin each get one error in the protocol's own shape, and the session goes on.
import {describe, expect, it} from 'vitest'

import {streamJsonMessageSchema} from '../../src/output/stream-json-schema.js'
import {runCli} from '../e2e/helpers/run-cli.js'
import {sdkProject} from './helpers/sdk-project.js'

describe('agent --input-format stream-json, fed by hand', () => {
  it('answers bad input with one error message each and still serves the user message after it', async () => {
    await using project = await sdkProject([{text: 'Still here.'}])
    const lines = [
      JSON.stringify({type: 'control_request', request_id: 'init-1', request: {subtype: 'initialize'}}),
      'this is not json',
      JSON.stringify({type: 'telepathy', payload: 1}),
      JSON.stringify({
        type: 'control_response',
        response: {subtype: 'success', request_id: 'nobody-asked', response: {}},
      }),
      JSON.stringify({type: 'control_cancel_request', request_id: 'nothing-pending'}),
      JSON.stringify({type: 'control_request', request_id: 'rewind-1', request: {subtype: 'rewind_files'}}),
      JSON.stringify({
        type: 'control_request',
        request_id: 'mode-1',
        request: {subtype: 'set_permission_mode', mode: 'plan'},
      }),
      JSON.stringify({
        type: 'user',
        session_id: '',
        message: {role: 'user', content: 'are you there?'},
        parent_tool_use_id: null,
      }),
    ]
    // The flags the Qwen Code SDK passes, plus ones it may: none is fatal.
    const result = await runCli(
      [
        '--input-format',
        'stream-json',
        '--output-format',
        'stream-json',
        '--channel=SDK',
        '--approval-mode',
        'yolo',
        '--session-id',
        '123e4567-e89b-12d3-a456-426614174000',
        '--max-session-turns',
        '5',
        '--core-tools',
        'run_shell_command',
        '--mcp-config',
        '{}',
      ],
      {cwd: project.dir, env: project.env, input: `${lines.join('\n')}\n`},
    )
    expect(result.exitCode, result.stderr).toBe(0)
    const out = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown> & {type: string; subtype?: string})
    const errors = out.filter((message) => message.type === 'system' && message.subtype === 'error')
    expect(errors.map((message) => (message.data as {message: string}).message)).toEqual([
      'not JSON: this is not json',
      expect.stringContaining('unknown message type "telepathy"'),
      'control_response for unknown request_id nobody-asked',
      expect.stringContaining('control_cancel_request for unknown request_id nothing-pending'),
    ])
    const responses = out.filter((message) => message.type === 'control_response')
    expect(responses.map((message) => message.response)).toEqual([
      expect.objectContaining({subtype: 'success', request_id: 'init-1'}),
      expect.objectContaining({
        subtype: 'error',
        request_id: 'rewind-1',
        error: expect.stringContaining('rewind_files'),
      }),
      expect.objectContaining({subtype: 'error', request_id: 'mode-1', error: expect.stringContaining('plan')}),
    ])
    const init = out.find((message) => message.subtype === 'init')
    expect(init).toMatchObject({session_id: '123e4567-e89b-12d3-a456-426614174000', permission_mode: 'yolo'})
    expect(init?.notices).toEqual([expect.stringContaining('--mcp-config')])
    expect(result.stderr.match(/--mcp-config/g)).toHaveLength(1)
    const final = out.find((message) => message.type === 'result')
    expect(final).toMatchObject({subtype: 'success', result: 'Still here.'})
    // Everything we wrote (not the control responses) fits the published schema.
    for (const message of out.filter((m) => m.type !== 'control_response')) streamJsonMessageSchema.parse(message)
  })
})
