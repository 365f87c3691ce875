// The Claude Agent SDK (`@anthropic-ai/claude-agent-sdk`) drives the built CLI as its executable, against the scripted
// model and real sandboxes: what the SDK hands its caller is what these tests check.
import fs from 'node:fs/promises'
import path from 'node:path'

import {query, type Options, type SDKMessage, type SDKUserMessage} from '@anthropic-ai/claude-agent-sdk'
import {describe, expect, it} from 'vitest'

import {CLI} from '../e2e/helpers/run-cli.js'
import type {ChatRequestBody, ScriptStep} from '../fixtures/scripted-model/index.js'
import {results, toolResults} from './helpers/sdk-messages.js'
import {sdkProject, shellCall, UUID, type SdkProject} from './helpers/sdk-project.js'

type Message = SDKMessage & Record<string, unknown>

/** User messages for a streaming query, each sent when the test says (after the previous turn's result). */
class Inbox implements AsyncIterable<SDKUserMessage> {
  private readonly queue: string[] = []
  private wake: (() => void) | undefined
  private done = false
  private written: (() => void)[] = []
  send(text: string): void {
    this.queue.push(text)
    this.wake?.()
  }
  /** Resolves once the SDK has written the messages sent so far to the CLI's stdin (it asks for the next one). */
  flushed(): Promise<void> {
    return new Promise((resolve) => this.written.push(resolve))
  }
  close(): void {
    this.done = true
    this.wake?.()
  }
  async *[Symbol.asyncIterator](): AsyncIterator<SDKUserMessage> {
    for (;;) {
      const text = this.queue.shift()
      if (text !== undefined) {
        yield {type: 'user', message: {role: 'user', content: text}, parent_tool_use_id: null}
        for (const resolve of this.written.splice(0)) resolve()
        continue
      }
      if (this.done) return
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }
}

function options(project: SdkProject, extra: Partial<Options> = {}) {
  const stderr: string[] = []
  const opts: Options = {
    pathToClaudeCodeExecutable: CLI,
    executable: 'node',
    cwd: project.dir,
    env: project.env,
    stderr: (text: string) => stderr.push(text),
    ...extra,
  }
  return {stderr, options: opts}
}

/** Our own system messages (error, session_end), which the SDK's types do not list. */
const systemMessages = (messages: Message[], subtype: string) =>
  messages.filter((message) => message.type === 'system' && (message as {subtype?: unknown}).subtype === subtype) as {
    data?: Record<string, unknown>
  }[]

/** The live output the CLI streams for a running command (stream_event tool_progress with --include-partial-messages). */
const progressText = (message: Message): string | undefined =>
  (message as {event?: {type?: string; content?: {text?: string}}}).event?.type === 'tool_progress'
    ? (message as {event: {content?: {text?: string}}}).event.content?.text
    : undefined

describe('the Claude Agent SDK with agent as its executable', () => {
  it('answers a one-shot query: init, the tool call and its result, and a successful result', async () => {
    await using project = await sdkProject([
      {text: 'Writing it.', toolCalls: [shellCall('call_1', 'echo hello from the sandbox | tee note.txt')]},
      {text: 'Done: note.txt says hello.'},
    ])
    const {options: opts, stderr} = options(project, {permissionMode: 'bypassPermissions'})
    const messages: Message[] = []
    for await (const message of query({prompt: 'write a note', options: opts})) messages.push(message as Message)

    const init = messages.find((message) => message.type === 'system' && message.subtype === 'init')
    expect(init, stderr.join('')).toMatchObject({
      model: 'scripted-model',
      permissionMode: 'bypassPermissions',
      mcp_servers: [],
    })
    expect(init?.session_id).toMatch(UUID)
    const assistant = messages.find((message) => message.type === 'assistant')
    expect(assistant?.message.content).toContainEqual(
      expect.objectContaining({type: 'tool_use', id: 'call_1', name: 'run_shell_command'}),
    )
    expect(toolResults(messages)[0]).toMatchObject({tool_use_id: 'call_1', is_error: false})
    expect(String(toolResults(messages)[0]?.content)).toContain('hello from the sandbox')
    const [result] = results(messages)
    expect(result).toMatchObject({subtype: 'success', is_error: false, result: 'Done: note.txt says hello.'})
    expect(result?.session_id).toBe(init?.session_id)
    project.keep(String(result?.sandbox_session_id))
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
    const {options: opts, stderr} = options(project, {permissionMode: 'bypassPermissions'})
    inbox.send('save some state')
    const messages: Message[] = []
    for await (const message of query({prompt: inbox, options: opts})) {
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
    expect(second?.session_id).toBe(first?.session_id)
    expect(String(toolResults(messages)[1]?.content)).toContain('first-turn')
    expect(messages.filter((message) => message.type === 'system' && message.subtype === 'init')).toHaveLength(1)
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
    const asked: {tool: string; input: Record<string, unknown>; toolUseID: string}[] = []
    const {options: opts, stderr} = options(project, {
      permissionMode: 'default',
      canUseTool: async (tool, input, context) => {
        asked.push({tool, input, toolUseID: context.toolUseID})
        if (input.command === 'echo original-input')
          return {behavior: 'allow', updatedInput: {...input, command: 'echo changed-by-the-sdk'}}
        return {behavior: 'deny', message: 'no files in this demo'}
      },
    })
    const messages: Message[] = []
    for await (const message of query({prompt: 'go', options: opts})) messages.push(message as Message)

    expect(
      asked.map((entry) => entry.input.command),
      stderr.join(''),
    ).toEqual(['echo original-input', 'touch forbidden.txt'])
    expect(asked.map((entry) => [entry.tool, entry.toolUseID])).toEqual([
      ['run_shell_command', 'call_allow'],
      ['run_shell_command', 'call_deny'],
    ])
    const [allowed, denied] = toolResults(messages)
    expect(String(allowed?.content)).toContain('changed-by-the-sdk')
    expect(String(allowed?.content)).not.toContain('original-input\n')
    expect(denied).toMatchObject({tool_use_id: 'call_deny', is_error: true})
    expect(String(denied?.content)).toContain('no files in this demo')
    const last = project.server.chatRequests()[2]?.body?.messages ?? []
    expect(JSON.stringify(last)).toContain('no files in this demo')
    const [result] = results(messages)
    expect(result).toMatchObject({subtype: 'success'})
    expect(result?.permission_denials).toEqual([expect.objectContaining({tool_use_id: 'call_deny'})])
  })

  it('interrupt stops a long command in the sandbox; the next turn runs in the same sandbox', async () => {
    await using project = await sdkProject([
      {toolCalls: [shellCall('call_long', 'echo started; sleep 600; echo never > never.txt')]},
      {toolCalls: [shellCall('call_ps', 'ps -eo args | grep -c "[s]leep 600" || true')]},
      {text: 'No sleep left.'},
    ])
    const inbox = new Inbox()
    const {options: opts, stderr} = options(project, {
      permissionMode: 'bypassPermissions',
      includePartialMessages: true,
    })
    const q = query({prompt: inbox, options: opts})
    inbox.send('run the long thing')
    const messages: Message[] = []
    let interrupted = false
    for await (const message of q) {
      messages.push(message as Message)
      if (!interrupted && progressText(message as Message)?.includes('started')) {
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
    expect(second?.sandbox_session_id).toBe(first?.sandbox_session_id)
    const [long, ps] = toolResults(messages)
    expect(long).toMatchObject({tool_use_id: 'call_long', is_error: true})
    // The sandbox runs no `sleep 600` any more: the interrupt killed it, not just stopped waiting for it.
    expect(String(ps?.content)).toContain('Stdout: 0\n')
    project.keep(String(first?.sandbox_session_id))
  })

  it('interrupt sent before the turn starts (the sandbox still opening) cancels that turn', async () => {
    // Each model request is answered by what it asks: the long command for the first prompt, `ps` for the second.
    const answer = (body: ChatRequestBody): ScriptStep => {
      const last = body.messages.at(-1)
      if (last?.role === 'tool') return {text: 'No sleep left.'}
      return last?.content === 'is it still running?'
        ? {toolCalls: [shellCall('call_ps', 'ps -eo args | grep -c "[s]leep 600" || true')]}
        : {toolCalls: [shellCall('call_long', 'echo started; sleep 600')]}
    }
    await using project = await sdkProject([answer, answer, answer, answer])
    const inbox = new Inbox()
    const {options: opts, stderr} = options(project, {permissionMode: 'bypassPermissions'})
    const q = query({prompt: inbox, options: opts})
    inbox.send('run the long thing')
    // The interrupt follows the user message on stdin, so it reaches the CLI while that turn is being set up.
    await inbox.flushed()
    const interrupting = q.interrupt()
    const messages: Message[] = []
    for await (const message of q) {
      messages.push(message as Message)
      if (message.type === 'result') {
        if (results(messages).length === 1) inbox.send('is it still running?')
        else inbox.close()
      }
    }
    await interrupting
    const [first, second] = results(messages)
    expect(first, stderr.join('')).toMatchObject({subtype: 'error_during_execution', is_error: true})
    expect(second).toMatchObject({subtype: 'success', result: 'No sleep left.'})
    const ps = toolResults(messages).find((block) => block.tool_use_id === 'call_ps')
    expect(String(ps?.content)).toContain('Stdout: 0\n')
    project.keep(String(second?.sandbox_session_id))
  })

  it('interrupt while canUseTool is deciding cancels the question; the late answer is no error', async () => {
    await using project = await sdkProject([{toolCalls: [shellCall('call_1', 'touch asked.txt')]}])
    let cancelled = false
    const inbox = new Inbox()
    let interrupting: Promise<void> | undefined
    const {options: opts, stderr} = options(project, {
      permissionMode: 'default',
      canUseTool: (_tool, _input, {signal}) => {
        interrupting = q.interrupt()
        // Answers only once the CLI cancels the question (control_cancel_request), as a slow UI would.
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            cancelled = true
            resolve({behavior: 'allow', updatedInput: {}})
          }),
        )
      },
    })
    const q = query({prompt: inbox, options: opts})
    inbox.send('touch a file')
    const messages: Message[] = []
    for await (const message of q) {
      messages.push(message as Message)
      if (message.type === 'result') inbox.close()
    }
    await interrupting
    expect(cancelled, stderr.join('')).toBe(true)
    expect(results(messages)).toEqual([expect.objectContaining({subtype: 'error_during_execution'})])
    expect(systemMessages(messages, 'error')).toEqual([])
    const [end] = systemMessages(messages, 'session_end')
    expect(end?.data).toMatchObject({changes: 'none'})
  })

  it('setPermissionMode switches from asking to bypassPermissions mid-session', async () => {
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
      canUseTool: async (_tool, input) => {
        asked.push(String(input.command))
        return {behavior: 'allow', updatedInput: input}
      },
    })
    const q = query({prompt: inbox, options: opts})
    inbox.send('one')
    const messages: Message[] = []
    for await (const message of q) {
      messages.push(message as Message)
      if (message.type === 'result') {
        if (results(messages).length === 1) {
          await q.setPermissionMode('bypassPermissions')
          inbox.send('two')
        } else inbox.close()
      }
    }
    expect(asked, stderr.join('')).toEqual(['echo one'])
    expect(results(messages).map((result) => result.subtype)).toEqual(['success', 'success'])
    expect(String(toolResults(messages)[1]?.content)).toContain('two')
  })

  it('prompts ending mid-turn close stdin: the turn finishes, its result arrives, and --apply applies the changes', async () => {
    await using project = await sdkProject([
      {toolCalls: [shellCall('call_slow', 'echo working; sleep 2; echo finished > done.txt')]},
      {text: 'Wrote done.txt.'},
    ])
    const inbox = new Inbox()
    const {options: opts, stderr} = options(project, {
      permissionMode: 'bypassPermissions',
      includePartialMessages: true,
      extraArgs: {apply: null},
    })
    inbox.send('write done.txt')
    const messages: Message[] = []
    for await (const message of query({prompt: inbox, options: opts})) {
      messages.push(message as Message)
      // No canUseTool: the SDK closes the CLI's stdin as soon as the prompt stream ends.
      if (progressText(message as Message)?.includes('working')) inbox.close()
    }
    const [result] = results(messages)
    expect(result, stderr.join('')).toMatchObject({subtype: 'success', result: 'Wrote done.txt.'})
    const [end] = systemMessages(messages, 'session_end')
    expect(end?.data).toMatchObject({changes: 'applied', applied: ['done.txt']})
    expect(await fs.readFile(path.join(project.dir, 'done.txt'), 'utf8')).toBe('finished\n')
  })
})
