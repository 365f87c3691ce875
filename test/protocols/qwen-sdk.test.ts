// The Qwen Code SDK (`@qwen-code/sdk`) drives the built CLI as its executable, against the scripted model and real
// sandboxes: what the SDK hands its caller is what these tests check.
import fs from 'node:fs/promises'
import path from 'node:path'

import {query, type SDKMessage, type SDKUserMessage} from '@qwen-code/sdk'
import {describe, expect, it} from 'vitest'

import {CLI} from '../e2e/helpers/run-cli.js'
import {results, toolResults} from './helpers/sdk-messages.js'
import {sdkProject, shellCall, UUID, type SdkProject} from './helpers/sdk-project.js'

type Message = SDKMessage & Record<string, unknown>

/** User messages for a streaming query, each sent once `ready` says so (after the previous turn's result). */
class Inbox implements AsyncIterable<SDKUserMessage> {
  private readonly queue: string[] = []
  private wake: (() => void) | undefined
  private done = false
  send(text: string): void {
    this.queue.push(text)
    this.wake?.()
  }
  close(): void {
    this.done = true
    this.wake?.()
  }
  async *[Symbol.asyncIterator](): AsyncIterator<SDKUserMessage> {
    for (;;) {
      const text = this.queue.shift()
      if (text !== undefined) {
        yield {type: 'user', session_id: '', message: {role: 'user', content: text}, parent_tool_use_id: null}
        continue
      }
      if (this.done) return
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }
}

function options(project: SdkProject, extra: Record<string, unknown> = {}) {
  const stderr: string[] = []
  return {
    stderr,
    options: {
      pathToQwenExecutable: CLI,
      cwd: project.dir,
      env: project.env,
      stderr: (text: string) => stderr.push(text),
      ...extra,
    },
  }
}

describe('the Qwen Code SDK with agent as its executable', () => {
  it('answers a one-shot query: init, the tool call and its result, and a successful result', async () => {
    await using project = await sdkProject([
      {text: 'Writing it.', toolCalls: [shellCall('call_1', 'echo hello from the sandbox | tee note.txt')]},
      {text: 'Done: note.txt says hello.'},
    ])
    const {options: opts, stderr} = options(project, {permissionMode: 'yolo'})
    const q = query({prompt: 'write a note', options: opts})
    const messages: Message[] = []
    for await (const message of q) messages.push(message as Message)

    const init = messages.find((message) => message.type === 'system' && message.subtype === 'init')
    expect(init, stderr.join('')).toMatchObject({model: 'scripted-model', permission_mode: 'yolo', mcp_servers: []})
    expect(init?.session_id).toBe(q.getSessionId())
    expect(init?.session_id).toMatch(UUID)
    const assistant = messages.find((message) => message.type === 'assistant')
    expect(assistant?.message.content).toContainEqual(
      expect.objectContaining({type: 'tool_use', id: 'call_1', name: 'run_shell_command'}),
    )
    expect(toolResults(messages)[0]).toMatchObject({tool_use_id: 'call_1', is_error: false})
    expect(String(toolResults(messages)[0]?.content)).toContain('hello from the sandbox')
    const [result] = results(messages)
    expect(result).toMatchObject({subtype: 'success', is_error: false, result: 'Done: note.txt says hello.'})
    expect(result?.changed_files).toEqual([{path: 'note.txt', kind: 'added'}])
    project.keep(String(result?.sandbox_session_id))
    // Not applied: the host project is untouched.
    await expect(fs.access(path.join(project.dir, 'note.txt'))).rejects.toThrow()
  })

  it('serves a multi-turn conversation from one sandbox, the model seeing the whole conversation', async () => {
    await using project = await sdkProject([
      {toolCalls: [shellCall('call_a', 'echo first-turn > state.txt')]},
      {text: 'Saved.'},
      {toolCalls: [shellCall('call_b', 'cat state.txt')]},
      {text: 'It says first-turn.'},
    ])
    const inbox = new Inbox()
    const {options: opts, stderr} = options(project, {permissionMode: 'yolo'})
    const q = query({prompt: inbox, options: opts})
    inbox.send('save some state')
    const messages: Message[] = []
    for await (const message of q) {
      messages.push(message as Message)
      if (message.type === 'result') {
        if (results(messages).length === 1) inbox.send('what did you save?')
        else inbox.close()
      }
    }
    const [first, second] = results(messages)
    expect(first, stderr.join('')).toMatchObject({subtype: 'success', result: 'Saved.'})
    expect(second).toMatchObject({subtype: 'success', result: 'It says first-turn.'})
    expect(second?.sandbox_session_id).toBe(first?.sandbox_session_id)
    expect(second?.session_id).toBe(q.getSessionId())
    expect(String(toolResults(messages)[1]?.content)).toContain('first-turn')
    expect(messages.filter((message) => message.type === 'system' && message.subtype === 'init')).toHaveLength(1)
    // The second turn's first request carries the first turn (one conversation).
    const third = project.server.chatRequests()[2]?.body?.messages ?? []
    expect(third.map((message) => message.content)).toContain('save some state')
    project.keep(String(first?.sandbox_session_id))
  })

  it('asks canUseTool: an allow with changed input runs the changed command, a deny reaches the model', async () => {
    await using project = await sdkProject([
      {toolCalls: [shellCall('call_allow', 'echo original-input')]},
      {toolCalls: [shellCall('call_deny', 'touch forbidden.txt')]},
      {text: 'Understood.'},
    ])
    const asked: {tool: string; input: Record<string, unknown>}[] = []
    const {options: opts, stderr} = options(project, {
      permissionMode: 'default',
      canUseTool: async (tool: string, input: Record<string, unknown>) => {
        asked.push({tool, input})
        if (input.command === 'echo original-input')
          return {behavior: 'allow' as const, updatedInput: {...input, command: 'echo changed-by-the-sdk'}}
        return {behavior: 'deny' as const, message: 'no files in this demo'}
      },
    })
    const messages: Message[] = []
    for await (const message of query({prompt: 'go', options: opts})) messages.push(message as Message)

    expect(
      asked.map((entry) => entry.input.command),
      stderr.join(''),
    ).toEqual(['echo original-input', 'touch forbidden.txt'])
    expect(asked[0]?.tool).toBe('run_shell_command')
    const [allowed, denied] = toolResults(messages)
    expect(String(allowed?.content)).toContain('changed-by-the-sdk')
    expect(String(allowed?.content)).not.toContain('original-input\n')
    expect(denied).toMatchObject({tool_use_id: 'call_deny', is_error: true})
    expect(String(denied?.content)).toContain('no files in this demo')
    // The model was told why.
    const last = project.server.chatRequests()[2]?.body?.messages ?? []
    expect(JSON.stringify(last)).toContain('no files in this demo')
    const [result] = results(messages)
    expect(result).toMatchObject({subtype: 'success'})
    expect(result?.permission_denials).toEqual([expect.objectContaining({tool_use_id: 'call_deny'})])
    expect(result?.changed_files).toEqual([])
  })

  it('interrupt stops a long command in the sandbox; the session goes on', async () => {
    await using project = await sdkProject([
      {toolCalls: [shellCall('call_long', 'echo started; sleep 600; echo never > never.txt')]},
      {toolCalls: [shellCall('call_ps', 'ps -eo args | grep -c "[s]leep 600" || true')]},
      {text: 'No sleep left.'},
    ])
    const inbox = new Inbox()
    const {options: opts, stderr} = options(project, {permissionMode: 'yolo', includePartialMessages: true})
    const q = query({prompt: inbox, options: opts})
    inbox.send('run the long thing')
    const messages: Message[] = []
    let interrupted = false
    for await (const message of q) {
      messages.push(message as Message)
      const event = (message as {event?: {type?: string; content?: {text?: string}}}).event
      if (!interrupted && event?.type === 'tool_progress' && event.content?.text?.includes('started')) {
        interrupted = true
        await q.interrupt()
      }
      if (message.type === 'result') {
        if (results(messages).length === 1) inbox.send('is it still running?')
        else inbox.close()
      }
    }
    const [first, second] = results(messages)
    expect(first, stderr.join('')).toMatchObject({subtype: 'error_during_execution', is_error: true})
    expect(second).toMatchObject({subtype: 'success', result: 'No sleep left.'})
    const results_ = toolResults(messages)
    expect(results_[0]).toMatchObject({tool_use_id: 'call_long', is_error: true})
    // The sandbox runs no `sleep 600` any more: the interrupt killed it, not just stopped waiting for it.
    expect(String(results_[1]?.content)).toContain('Stdout: 0\n')
    expect(first?.changed_files).toEqual([])
  })

  it('setPermissionMode switches from asking to yolo mid-session', async () => {
    await using project = await sdkProject([
      {toolCalls: [shellCall('call_1', 'echo one')]},
      {text: 'One.'},
      {toolCalls: [shellCall('call_2', 'echo two')]},
      {text: 'Two.'},
    ])
    const inbox = new Inbox()
    const asked: string[] = []
    const {options: opts, stderr} = options(project, {
      permissionMode: 'default',
      canUseTool: async (_tool: string, input: Record<string, unknown>) => {
        asked.push(String(input.command))
        return {behavior: 'allow' as const, updatedInput: input}
      },
    })
    const q = query({prompt: inbox, options: opts})
    inbox.send('one')
    const messages: Message[] = []
    for await (const message of q) {
      messages.push(message as Message)
      if (message.type === 'result') {
        if (results(messages).length === 1) {
          await q.setPermissionMode('yolo')
          inbox.send('two')
        } else inbox.close()
      }
    }
    expect(asked, stderr.join('')).toEqual(['echo one'])
    expect(results(messages).map((result) => result.subtype)).toEqual(['success', 'success'])
    expect(String(toolResults(messages)[1]?.content)).toContain('two')
  })

  it('stdin closed mid-turn: the turn finishes, its result arrives, and --apply applies the changes', async () => {
    await using project = await sdkProject([
      {toolCalls: [shellCall('call_slow', 'echo working; sleep 2; echo finished > done.txt')]},
      {text: 'Wrote done.txt.'},
    ])
    const inbox = new Inbox()
    const {options: opts, stderr} = options(project, {
      permissionMode: 'yolo',
      includePartialMessages: true,
      extraArgs: ['--apply'],
    })
    const q = query({prompt: inbox, options: opts})
    inbox.send('write done.txt')
    const messages: Message[] = []
    for await (const message of q) {
      messages.push(message as Message)
      const event = (message as {event?: {type?: string; content?: {text?: string}}}).event
      if (event?.type === 'tool_progress' && event.content?.text?.includes('working')) q.endInput()
    }
    const [result] = results(messages)
    expect(result, stderr.join('')).toMatchObject({subtype: 'success', result: 'Wrote done.txt.'})
    const end = messages.find((message) => message.type === 'system' && message.subtype === 'session_end')
    expect(end?.data).toMatchObject({changes: 'applied', applied: ['done.txt']})
    expect(await fs.readFile(path.join(project.dir, 'done.txt'), 'utf8')).toBe('finished\n')
  })
})
