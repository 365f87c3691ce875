// `agent mcp add|list|remove` against the built CLI: the settings files they write, and what list finds by connecting.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {bundleFixtureServer} from '../../plugins/mcp/src/test-support/bundle-fixture-server.js'
import {cliEnv, runCli, CLI} from '../e2e/helpers/run-cli.js'
import {startHttpMcpServer, type HttpMcpServer} from '../fixtures/mcp-servers/http-server.js'

let http: HttpMcpServer
let work: string
let home: string
let project: string

beforeAll(async () => {
  await fs.access(CLI.replace(/bin\/run\.js$/, 'dist/commands/run.js'))
  http = await startHttpMcpServer()
  work = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-mcp-cmd-')))
  home = path.join(work, 'home')
  project = path.join(work, 'project')
  await fs.mkdir(path.join(project, '.qwen'), {recursive: true})
  await fs.mkdir(home)
  await bundleFixtureServer(path.join(project, '.mcp', 'server.mjs'))
  // A comment the commands must keep.
  await fs.writeFile(path.join(project, '.qwen', 'settings.json'), '{\n  // keep me\n  "model": {"name": "m"}\n}\n')
}, 120_000)

afterAll(async () => {
  await http?.close()
  if (work) await fs.rm(work, {recursive: true, force: true})
})

const agent = (args: string[]) =>
  runCli(args, {cwd: project, env: cliEnv(home, 'http://127.0.0.1:9/v1'), timeoutMs: 180_000})

describe('agent mcp', () => {
  it('adds a command server to the project and a URL server to the user settings, lists both, removes them', async () => {
    const addLocal = await agent(['mcp', 'add', 'fx', '-e', 'LEVEL=debug', '--', 'node', '.mcp/server.mjs'])
    expect(addLocal.exitCode, addLocal.stderr).toBe(0)
    expect(addLocal.stdout).toMatch(
      /^Added MCP server fx in .*project\/\.qwen\/settings\.json \(started in the sandbox/,
    )
    expect(addLocal.stderr).toMatch(/Note: this folder is not trusted, so its servers do not start yet: agent trust /)
    const projectText = await fs.readFile(path.join(project, '.qwen', 'settings.json'), 'utf8')
    expect(projectText).toContain('// keep me')
    expect(JSON.parse(projectText.replace('// keep me', ''))).toMatchObject({
      model: {name: 'm'},
      mcpServers: {fx: {command: 'node', args: ['.mcp/server.mjs'], env: {LEVEL: 'debug'}}},
    })

    const addRemote = await agent([
      'mcp',
      'add',
      'web',
      '--url',
      http.url,
      '-H',
      'Authorization: Bearer x',
      '--scope',
      'user',
    ])
    expect(addRemote.exitCode, addRemote.stderr).toBe(0)
    expect(JSON.parse(await fs.readFile(path.join(home, '.qwen', 'settings.json'), 'utf8'))).toEqual({
      mcpServers: {web: {httpUrl: http.url, headers: {Authorization: 'Bearer x'}}},
    })

    // Untrusted: the project's server is listed, not started.
    const untrusted = await agent(['mcp', 'list', '--json'])
    expect(untrusted.exitCode, untrusted.stderr).toBe(0)
    expect(JSON.parse(untrusted.stdout).servers).toEqual([
      expect.objectContaining({
        name: 'fx',
        scope: 'project',
        state: 'disabled',
        detail: expect.stringMatching(/not trusted/),
      }),
      expect.objectContaining({
        name: 'web',
        scope: 'user',
        transport: 'http',
        runsIn: 'host',
        state: 'connected',
        tools: ['host_echo', 'whoami_host'],
      }),
    ])

    await fs.writeFile(path.join(home, '.qwen', 'trustedFolders.json'), JSON.stringify({[project]: 'TRUST_FOLDER'}))
    const trusted = await agent(['mcp', 'list'])
    expect(trusted.exitCode, trusted.stderr).toBe(0)
    expect(trusted.stdout).toMatch(/^NAME +TRANSPORT +RUNS +SCOPE +STATE +TOOLS$/m)
    expect(trusted.stdout).toMatch(/^web +http +from host +user +connected +2$/m)
    // Nine listed, one with an invalid schema left out and said on stderr.
    expect(trusted.stdout).toMatch(/^fx +stdio +in sandbox +project +connected +8$/m)
    expect(trusted.stderr).toMatch(/Warning: MCP server fx: tool broken_schema left out/)

    const remove = await agent(['mcp', 'remove', 'web'])
    expect(remove.exitCode).toBe(2)
    expect(remove.stderr).toMatch(
      /No MCP server web in .*project.*It is in the user settings: agent mcp remove web --scope user/,
    )
    expect((await agent(['mcp', 'remove', 'web', '--scope', 'user'])).exitCode).toBe(0)
    expect((await agent(['mcp', 'remove', 'fx'])).exitCode).toBe(0)
    const after = await fs.readFile(path.join(project, '.qwen', 'settings.json'), 'utf8')
    expect(after).toContain('// keep me')
    expect(after).not.toContain('"fx"')
  })

  it('says what to type when there is nothing to run', async () => {
    const result = await agent(['mcp', 'add', 'nothing'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/Nothing to run for nothing.*agent mcp add nothing -- COMMAND ARGS\.\.\./)
  })
})
