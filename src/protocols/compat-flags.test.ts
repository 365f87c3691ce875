import {describe, expect, it} from 'vitest'

import {readCompatFlags} from './compat-flags.js'

const base = {'input-format': 'stream-json' as const, 'output-format': 'stream-json'}

describe('readCompatFlags', () => {
  it('maps what it can and lists, once each, what it cannot honour', () => {
    const compat = readCompatFlags({
      ...base,
      'permission-mode': 'bypassPermissions',
      'core-tools': 'run_shell_command, read_file',
      'exclude-tools': 'run_shell_command(git push)',
      'mcp-config': '{}',
      'session-id': 'not-a-uuid',
    })
    expect(compat).toMatchObject({
      sdkMode: true,
      approvalMode: {mode: 'yolo'},
      coreTools: ['run_shell_command', 'read_file'],
      excludeTools: ['run_shell_command(git push)'],
      sessionId: undefined,
    })
    expect(compat.unsupported).toEqual([expect.stringContaining('not a UUID'), expect.stringContaining('--mcp-config')])
  })

  it('asks the client only when it can answer: the Qwen SDK channel, or Claude permission-prompt-tool stdio', () => {
    expect(readCompatFlags({...base, channel: 'SDK'}).askClient).toBe(true)
    expect(readCompatFlags({...base, 'permission-prompt-tool': 'stdio'}).askClient).toBe(true)
    expect(readCompatFlags(base).askClient).toBe(false)
  })

  it('says stream-json input needs stream-json output', () => {
    expect(readCompatFlags({...base, 'output-format': 'text'}).unsupported).toEqual([
      expect.stringContaining('needs --output-format stream-json'),
    ])
  })
})
