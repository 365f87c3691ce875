// MCP servers in real runs: a stdio server (SDK server classes) inside the sandbox, a streamable-HTTP one on the host.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {bundleFixtureServer} from '../../plugins/mcp/src/test-support/bundle-fixture-server.js'
import {streamJsonMessageSchema} from '../../src/output/stream-json-schema.js'
import {cliEnv, runCli, CLI} from '../e2e/helpers/run-cli.js'
import {startHttpMcpServer, type HttpMcpServer} from '../fixtures/mcp-servers/http-server.js'
import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'

const exec = promisify(execFile)

let model: ScriptedModelServer
let http: HttpMcpServer
let work: string
let home: string
let project: string
let bundle: string

beforeAll(async () => {
  await fs.access(CLI.replace(/bin\/run\.js$/, 'dist/commands/run.js')).catch(() => {
    throw new Error('Build the CLI first: npm run build')
  })
  model = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  http = await startHttpMcpServer()
  work = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-mcp-')))
  bundle = path.join(work, 'server.mjs')
  await bundleFixtureServer(bundle)
}, 120_000)

afterAll(async () => {
  await model?.close()
  await http?.close()
  if (work) await fs.rm(work, {recursive: true, force: true})
})

beforeEach(async () => {
  home = await fs.mkdtemp(path.join(work, 'home-'))
  project = await fs.mkdtemp(path.join(work, 'project-'))
  await fs.mkdir(path.join(project, '.mcp'))
  await fs.copyFile(bundle, path.join(project, '.mcp', 'server.mjs'))
})

async function writeSettings(dir: string, settings: Record<string, unknown>): Promise<void> {
  await fs.mkdir(path.join(dir, '.qwen'), {recursive: true})
  await fs.writeFile(path.join(dir, '.qwen', 'settings.json'), JSON.stringify(settings, null, 2))
}

const fixture = (mode?: string, extra: Record<string, unknown> = {}) => ({
  command: 'node',
  args: ['.mcp/server.mjs', ...(mode ? [mode] : [])],
  ...extra,
})

/** What the model read for each tool call of the last request, by call id. */
function toolResults(): Record<string, string> {
  const results: Record<string, string> = {}
  for (const message of model.chatRequests().at(-1)?.body?.messages ?? [])
    if (message.role === 'tool' && message.tool_call_id) results[message.tool_call_id] = String(message.content)
  return results
}

async function run(args: string[], env: Record<string, string> = {}) {
  const result = await runCli(['run', ...args], {cwd: project, env: cliEnv(home, model.url, env), timeoutMs: 180_000})
  return result
}

async function sandboxContainers(): Promise<string[]> {
  const {stdout} = await exec('docker', [
    'ps',
    '-a',
    '--filter',
    'label=dev.sandbox-agent.session',
    '--format',
    '{{.Names}}',
  ])
  return stdout.split('\n').filter(Boolean)
}

describe('MCP servers (built CLI, real sandbox, scripted model)', () => {
  it('runs a stdio server inside the sandbox and reaches an HTTP server from the host; both sets of tools work', async () => {
    await writeSettings(home, {
      mcpServers: {
        fx: fixture(undefined, {env: {FIXTURE_VALUE: 'from-settings'}, excludeTools: ['flood']}),
        web: {httpUrl: http.url, headers: {Authorization: 'Bearer $MCP_TEST_TOKEN'}, trust: true},
        untrusted: {httpUrl: http.url, includeTools: ['host_echo']},
      },
    })
    model.setScript([
      {
        toolCalls: [
          {id: 'who', name: 'whoami', arguments: {}},
          {id: 'host', name: 'run_shell_command', arguments: {command: 'hostname; id -u', is_background: false}},
          {id: 'echo', name: 'echo', arguments: {text: 'hello'}},
          {id: 'clash', name: 'fx__read_file', arguments: {path: 'a.txt'}},
          {id: 'badargs', name: 'echo', arguments: {text: 42}},
          {id: 'web', name: 'host_echo', arguments: {text: 'over http'}},
          {id: 'creds', name: 'whoami_host', arguments: {}},
          {id: 'refused', name: 'untrusted__host_echo', arguments: {text: 'x'}},
        ],
      },
      {text: 'Done.'},
    ])
    const before = await sandboxContainers()
    const result = await run(['-o', 'stream-json', 'use the MCP tools'], {MCP_TEST_TOKEN: 'tok-123'})
    expect(result.exitCode, result.stderr).toBe(0)

    // The model was shown the servers' tools, named as Qwen Code names them, with their schemas as given.
    const offered = model.chatRequests()[0]?.body?.tools ?? []
    const names = offered.map((tool) => tool.function.name)
    expect(names).toEqual(expect.arrayContaining(['whoami', 'echo', 'fx__read_file', 'host_echo', 'whoami_host']))
    expect(names).toContain('untrusted__host_echo')
    expect(names).not.toContain('flood')
    expect(offered.find((tool) => tool.function.name === 'echo')?.function.parameters).toEqual({
      type: 'object',
      properties: {text: {type: 'string'}},
      required: ['text'],
    })

    const seen = toolResults()
    // From inside the server: the sandbox's host name and uid, the agent user in /workspace, no route out, no host key.
    const facts = JSON.parse(seen.who ?? '{}') as Record<string, unknown>
    const [hostname, uid] = (/Stdout: (.*)\n(\d+)/.exec(seen.host ?? '') ?? []).slice(1)
    expect(facts).toMatchObject({
      hostname,
      uid: Number(uid),
      user: 'agent',
      cwd: '/workspace',
      secretVisible: false,
      fixtureEnv: 'from-settings',
    })
    expect(facts.uid).toBe(1000)
    expect(facts.hostname).not.toBe(os.hostname())
    expect(facts.internet).toMatch(/^E(NETUNREACH|HOSTUNREACH|CONNREFUSED)$/)
    expect(seen.echo).toBe('echo: hello')
    expect(seen.clash).toBe('fixture read a.txt')
    expect(seen.badargs).toMatch(/^Invalid parameters for echo:\n- \(arguments\): data\/text must be string/)
    // The HTTP server runs in this test process (the host), and got the header with the variable filled in.
    expect(seen.web).toBe(`host echo: over http (pid ${process.pid})`)
    expect(seen.creds).toBe('authorization: Bearer tok-123')
    // Not trusted, acting from the host, no terminal: refused.
    expect(seen.refused).toMatch(/acts on the host, which a non-interactive run does not allow/)

    // The run ended every HTTP session it opened and left no sandbox behind.
    expect(http.requests.filter((request) => request.method === 'DELETE')).toHaveLength(2)
    expect(http.openSessions()).toEqual([])
    expect(await sandboxContainers()).toEqual(before)
    const messages = result.stdout
      .trim()
      .split('\n')
      .map((line) => streamJsonMessageSchema.parse(JSON.parse(line)))
    expect(messages[0]).toMatchObject({
      type: 'system',
      subtype: 'init',
      tools: expect.arrayContaining(['whoami']),
      mcp_servers: [
        {name: 'fx', status: 'connected'},
        {name: 'web', status: 'connected'},
        {name: 'untrusted', status: 'connected'},
      ],
    })
  })

  it('a server that fails is one line naming it and the run goes on: exit at start, hang, crash, bad result, flood', async () => {
    await writeSettings(home, {
      mcpServers: {
        dead: fixture('exit-at-start'),
        slow: fixture('hang-at-initialize', {timeout: 3000}),
        fx: fixture(),
        broken: {command: 'node', args: 'not-a-list'},
      },
    })
    model.setScript([
      {toolCalls: [{id: 'bad', name: 'bad_result', arguments: {}}]},
      {toolCalls: [{id: 'crash', name: 'crash', arguments: {}}]},
      {toolCalls: [{id: 'after', name: 'echo', arguments: {text: 'anyone?'}}]},
      {text: 'The server is gone; carrying on.'},
    ])
    const result = await run(['-o', 'stream-json', 'make do'])
    expect(result.exitCode, result.stderr).toBe(0)
    // The init message names every server with its state, as Claude Code's and Qwen Code's do (the malformed entry,
    // skipped before any start, is only the warning below).
    expect(streamJsonMessageSchema.parse(JSON.parse(result.stdout.split('\n')[0]!))).toMatchObject({
      subtype: 'init',
      mcp_servers: [
        {name: 'dead', status: 'failed'},
        {name: 'slow', status: 'failed'},
        {name: 'fx', status: 'connected'},
      ],
    })
    expect(result.stderr).toContain(
      'Warning: MCP server dead (in the sandbox) left out: exited with code 3: fixture: cannot start, FIXTURE_TOKEN is missing',
    )
    expect(result.stderr).toContain(
      'Warning: MCP server slow (in the sandbox) left out: did not answer within 3000 ms (raise its "timeout" in settings if it needs longer)',
    )
    expect(result.stderr).toContain('Warning: MCP server broken skipped: mcpServers.broken.args must be array')
    expect(result.stderr).toMatch(/Warning: MCP server fx: tool broken_schema left out \(its input schema is invalid/)
    const seen = toolResults()
    expect(seen.bad).toMatch(/^Error: MCP server fx failed the call: its answer does not follow the MCP protocol/)
    expect(seen.crash).toBe(
      'Error: MCP server fx stopped during the call: it exited with code 7: fixture: crashing on purpose',
    )
    expect(seen.after).toMatch(/^Error: MCP server fx is not running \(it exited with code 7/)
    expect(result.stdout).toContain('The server is gone; carrying on.')
  })

  it('a flood on stdout stops that server only; the call is an error the model reads', async () => {
    await writeSettings(home, {mcpServers: {fx: fixture(undefined, {includeTools: ['flood', 'echo']})}})
    model.setScript([
      {toolCalls: [{id: 'flood', name: 'flood', arguments: {}}]},
      {toolCalls: [{id: 'shell', name: 'run_shell_command', arguments: {command: 'echo alive', is_background: false}}]},
      {text: 'ok'},
    ])
    const result = await run(['flood it'])
    expect(result.exitCode, result.stderr).toBe(0)
    const seen = toolResults()
    expect(seen.flood).toMatch(
      /^Error: MCP server fx stopped during the call: it stopped: it wrote more than 8 MiB on stdout without a line break/,
    )
    expect(seen.shell).toMatch(/alive/)
  })

  it("starts a project's servers only in a trusted folder", async () => {
    await writeSettings(project, {mcpServers: {fx: fixture(undefined, {includeTools: ['echo']})}})
    model.setScript([{text: 'nothing to do'}])
    const untrusted = await run(['hello'])
    expect(untrusted.exitCode, untrusted.stderr).toBe(0)
    expect(untrusted.stderr).toMatch(/Note: Ignored mcpServers from .*would start MCP servers/)
    expect(
      model
        .chatRequests()
        .at(-1)
        ?.body?.tools?.map((tool) => tool.function.name),
    ).not.toContain('echo')

    await fs.mkdir(path.join(home, '.qwen'), {recursive: true})
    await fs.writeFile(path.join(home, '.qwen', 'trustedFolders.json'), JSON.stringify({[project]: 'TRUST_FOLDER'}))
    model.setScript([{text: 'nothing to do'}])
    const trusted = await run(['hello'])
    expect(trusted.exitCode, trusted.stderr).toBe(0)
    expect(
      model
        .chatRequests()
        .at(-1)
        ?.body?.tools?.map((tool) => tool.function.name),
    ).toContain('echo')
  })
})
