// MCP servers in interactive chat: a server that fails shows its one line in the transcript (not only in the log), and
// the others' tools stay usable. The built CLI runs in tmux against the scripted model and a real sandbox.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {bundleFixtureServer} from '../../plugins/mcp/src/test-support/bundle-fixture-server.js'
import {assertBuilt} from '../e2e/helpers/run-cli.js'
import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {removeSandboxesOf} from '../helpers/project-sandboxes.js'
import {startChat} from '../interactive/helpers/chat-terminal.js'

const DEAD_LINE =
  'Warning: MCP server dead (in the sandbox) left out: exited with code 3: fixture: cannot start, FIXTURE_TOKEN is missing'

let model: ScriptedModelServer
let home: string
let project: string

beforeAll(async () => {
  assertBuilt('chat')
  model = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  home = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-mcp-chat-home-')))
  project = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-mcp-chat-project-')))
  await fs.mkdir(path.join(project, '.mcp'))
  await bundleFixtureServer(path.join(project, '.mcp', 'server.mjs'))
  // The user's own settings: they load whatever the folder's trust.
  await fs.mkdir(path.join(home, '.qwen'))
  const server = (mode?: string) => ({command: 'node', args: ['.mcp/server.mjs', ...(mode ? [mode] : [])]})
  await fs.writeFile(
    path.join(home, '.qwen', 'settings.json'),
    // fx is trusted: its tools are never asked about (the chat would otherwise stop at the approval question).
    JSON.stringify({mcpServers: {dead: server('exit-at-start'), fx: {...server(), trust: true}}}),
  )
}, 120_000)

afterAll(async () => {
  if (project) {
    await removeSandboxesOf(project)
    await fs.rm(project, {recursive: true, force: true})
  }
  await model?.close()
  if (home) await fs.rm(home, {recursive: true, force: true})
})

describe('MCP servers in interactive chat', () => {
  it("shows a failing server's one line in the transcript, once; a trusted server's tool runs without asking", async () => {
    model.setScript([{toolCalls: [{id: 'echo', name: 'echo', arguments: {text: 'still here'}}]}, {text: 'Echoed.'}])
    await using term = await startChat({cwd: project, home, modelUrl: model.url})
    await term.waitFor(/sandbox [0-9a-f]{8} ready/, {timeoutMs: 90_000, what: 'the sandbox to start'})
    const shown = await term.waitFor((text) => text.includes(DEAD_LINE), {what: 'the failed server', scrollback: true})
    expect(shown.split(DEAD_LINE)).toHaveLength(2)
    await term.waitFor(/^> Type a message/m, {what: 'the prompt'})
    await term.type('echo something')
    await term.keys('Enter')
    const answered = await term.waitFor(/Echoed\./, {timeoutMs: 60_000, what: 'the answer after the tool call'})
    expect(answered).not.toContain('Allow echo')
    const results =
      model
        .chatRequests()
        .at(-1)
        ?.body?.messages?.filter((message) => message.role === 'tool') ?? []
    expect(results.map((message) => String(message.content))).toEqual(['echo: still here'])
  })
})
