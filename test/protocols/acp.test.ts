// An editor's side of the Agent Client Protocol, built with @agentclientprotocol/sdk's client, drives `agent --acp`
// (the built CLI) against the scripted model and a real sandbox: updates, permissions both ways, cancel, plan, apply.
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import {Readable, Writable} from 'node:stream'

import {
  client,
  methods,
  ndJsonStream,
  PROTOCOL_VERSION,
  RequestError,
  type RequestPermissionRequest,
  type SessionNotification,
} from '@agentclientprotocol/sdk'
import {describe, expect, it} from 'vitest'

import {CLI, runCli} from '../e2e/helpers/run-cli.js'
import {writeToolsPlugin} from '../plugins/helpers/tools-plugin.js'
import {sdkProject, shellCall, type SdkProject} from './helpers/sdk-project.js'

type Update = SessionNotification['update']

describe('agent --acp driven by an ACP client', () => {
  it('runs prompts with tool calls, asks permission both ways, cancels, shows the plan and applies with a diff', async () => {
    await using project = await sdkProject([
      // Prompt 1: a plan, a command allowed, a command rejected, an answer.
      {
        toolCalls: [
          {
            id: 'call_plan',
            name: 'todo_write',
            arguments: {
              todos: [
                {id: '1', content: 'Write a.txt', status: 'in_progress'},
                {id: '2', content: 'Check it', status: 'pending'},
              ],
            },
          },
        ],
      },
      {toolCalls: [shellCall('call_write', 'echo hi | tee a.txt')]},
      {toolCalls: [shellCall('call_rm', 'rm README.md')]},
      {text: 'Wrote a.txt; README.md stays.'},
      // Prompt 2: a long command, cancelled.
      {toolCalls: [shellCall('call_long', 'echo begun; sleep 600')]},
      // Prompt 3: apply, declined once, then approved.
      {toolCalls: [{id: 'call_apply1', name: 'apply_changes', arguments: {summary: 'add a.txt'}}]},
      {toolCalls: [{id: 'call_apply2', name: 'apply_changes', arguments: {summary: 'add a.txt'}}]},
      {text: 'Applied.'},
    ])
    const {child, stderr, exited} = startAcp(project)

    const updates: Update[] = []
    const asked: RequestPermissionRequest[] = []
    const answers = ['allow_once', 'reject_once', 'allow_once', 'reject_once', 'allow_once']
    let onUpdate: ((update: Update) => void) | undefined
    const editor = client({name: 'test-editor'})
      .onRequest(methods.client.session.requestPermission, ({params}) => {
        asked.push(params)
        const optionId = answers.shift() ?? 'reject_once'
        return {outcome: {outcome: 'selected', optionId}}
      })
      .onNotification(methods.client.session.update, ({params}) => {
        updates.push(params.update)
        onUpdate?.(params.update)
      })

    await editor.connectWith(acpStream(child), async (agent) => {
      const init = await agent.request(methods.agent.initialize, {
        protocolVersion: PROTOCOL_VERSION,
        clientCapabilities: {fs: {readTextFile: true, writeTextFile: true}},
      })
      expect(init.authMethods?.map((method) => ('id' in method ? method.id : ''))).toContain('openai-compatible')
      const {sessionId} = await agent.request(methods.agent.session.new, {cwd: project.dir, mcpServers: []})

      // 1. Tool calls with their output, permission granted then refused, the plan, the answer streamed.
      const first = await agent.request(methods.agent.session.prompt, {
        sessionId,
        prompt: [{type: 'text', text: 'write a.txt, then remove README.md'}],
      })
      expect(first.stopReason, stderr()).toBe('end_turn')
      expect(asked.map((request) => request.toolCall.title)).toEqual(['echo hi | tee a.txt', 'rm README.md'])
      expect(asked[0]?.options.map((option) => option.kind)).toEqual(['allow_once', 'allow_always', 'reject_once'])
      const plan = updates.find((update) => update.sessionUpdate === 'plan')
      expect(plan).toMatchObject({
        entries: [
          {content: 'Write a.txt', status: 'in_progress'},
          {content: 'Check it', status: 'pending'},
        ],
      })
      expect(updates).toContainEqual(
        expect.objectContaining({
          sessionUpdate: 'tool_call',
          toolCallId: 'call_write',
          kind: 'execute',
          status: 'pending',
        }),
      )
      const writeDone = updates.find(
        (update) =>
          update.sessionUpdate === 'tool_call_update' &&
          update.toolCallId === 'call_write' &&
          update.status === 'completed',
      )
      expect(JSON.stringify(writeDone)).toContain('hi')
      expect(updates).toContainEqual(
        expect.objectContaining({sessionUpdate: 'tool_call_update', toolCallId: 'call_rm', status: 'failed'}),
      )
      const text = updates
        .flatMap((update) =>
          update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text' ? [update.content.text] : [],
        )
        .join('')
      expect(text).toBe('Wrote a.txt; README.md stays.')
      // The model learned of the refusal.
      expect(JSON.stringify(project.server.chatRequests()[3]?.body?.messages)).toContain('denied')

      // 2. A long command: its live output arrives, then session/cancel ends the prompt and kills it.
      const cancelled = new Promise<void>((resolve) => {
        onUpdate = (update) => {
          if (
            update.sessionUpdate === 'tool_call_update' &&
            update.toolCallId === 'call_long' &&
            JSON.stringify(update).includes('begun')
          ) {
            onUpdate = undefined
            void agent.notify(methods.agent.session.cancel, {sessionId})
            resolve()
          }
        }
      })
      const second = await agent.request(methods.agent.session.prompt, {
        sessionId,
        prompt: [{type: 'text', text: 'run the long job'}],
      })
      await cancelled
      expect(second.stopReason).toBe('cancelled')
      expect(updates).toContainEqual(
        expect.objectContaining({sessionUpdate: 'tool_call_update', toolCallId: 'call_long', status: 'failed'}),
      )

      // 3. Applying is a tool the editor approves with the diff shown: declined, then approved.
      const third = await agent.request(methods.agent.session.prompt, {
        sessionId,
        prompt: [{type: 'text', text: 'apply it'}],
      })
      expect(third.stopReason).toBe('end_turn')
      const applyAsks = asked.filter((request) => request.toolCall.toolCallId?.startsWith('call_apply'))
      expect(applyAsks).toHaveLength(2)
      expect(applyAsks[0]?.options.map((option) => option.kind)).toEqual(['allow_once', 'reject_once'])
      expect(applyAsks[0]?.toolCall.content).toContainEqual({
        type: 'diff',
        path: path.join(project.dir, 'a.txt'),
        oldText: null,
        newText: 'hi\n',
      })
    })
    expect(await fs.readFile(path.join(project.dir, 'a.txt'), 'utf8')).toBe('hi\n')
    expect(await fs.readFile(path.join(project.dir, 'README.md'), 'utf8')).toBe('# demo\n')
    child.stdin.end()
    expect(await exited, stderr()).toBe(0)
    // Everything was applied: the sandbox was removed, not kept.
    expect(stderr()).not.toContain('is kept')
  })

  it("refuses session/new with the tool registry's line when a plugin's tool clashes with a built-in", async () => {
    await using project = await sdkProject([])
    // A real plugin, linked as a user would, whose tool takes the shell tool's name.
    const plugin = path.join(project.home, 'clash-plugin')
    await writeToolsPlugin(
      plugin,
      'clash-plugin',
      [
        "import {defineTool, toolSuccess, z} from 'sandboxed-agent/plugin'",
        'export default async () => [defineTool({name: "run_shell_command", description: "A second shell.",',
        '  parameters: z.object({}), kind: "execute", actsOn: "sandbox", execute: async () => toolSuccess("", "")})]',
      ].join('\n'),
    )
    const link = await runCli(['plugins', 'link', '--no-install', plugin], {cwd: project.dir, env: acpEnv(project)})
    expect(link.exitCode, link.stderr).toBe(0)

    const {child, stderr, exited} = startAcp(project)
    await client({name: 'test-editor'}).connectWith(acpStream(child), async (agent) => {
      // Listing the auth methods needs no tools: the editor gets that far.
      const init = await agent.request(methods.agent.initialize, {
        protocolVersion: PROTOCOL_VERSION,
        clientCapabilities: {},
      })
      expect(init.authMethods?.map((method) => ('id' in method ? method.id : ''))).toContain('openai-compatible')
      const refused = await agent.request(methods.agent.session.new, {cwd: project.dir, mcpServers: []}).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(refused).toBeInstanceOf(RequestError)
      expect((refused as RequestError).message).toBe(
        'Tool "run_shell_command" from plugin clash-plugin clashes with the tool of the same name from the built-in ' +
          'tools. Uninstall or disable one of the two plugins (agent plugins uninstall <name>)',
      )
    })
    child.stdin.end()
    expect(await exited, stderr()).toBe(0)
  })
})

/** The CLI's data, cache and config dirs live in the project's temp home, so the user's plugins are never touched. */
function acpEnv(project: SdkProject): Record<string, string> {
  return {
    ...project.env,
    XDG_DATA_HOME: path.join(project.home, 'data'),
    XDG_CACHE_HOME: path.join(project.home, 'cache'),
    XDG_CONFIG_HOME: path.join(project.home, 'config'),
    OCLIF_DISABLE_LINKED_ESM_WARNING: '1',
  }
}

/** `agent --acp` in the project, as an editor starts it. */
function startAcp(project: SdkProject) {
  const child = spawn(process.execPath, [CLI, '--acp'], {
    cwd: project.dir,
    env: acpEnv(project),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {child, stderr: () => stderr, exited}
}

function acpStream(child: ChildProcessWithoutNullStreams) {
  return ndJsonStream(
    Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
    Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
  )
}
