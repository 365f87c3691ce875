// The MCP source against the real fixture server (SDK server classes) run by the fake sandbox: tools, names, faults.
import path from 'node:path'

import {createFakeSandbox, silentLogger, type FakeSandbox, type OpenedToolSource} from 'sandboxed-agent/plugin'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {bundleFixtureServer} from './test-support/bundle-fixture-server.js'
import {openMcpServers} from './mcp-source.js'

let sandbox: FakeSandbox

beforeAll(async () => {
  sandbox = await createFakeSandbox()
  await bundleFixtureServer(path.join(sandbox.root, '.mcp', 'server.mjs'))
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
})

const server = (extra: Record<string, unknown> = {}, mode?: string) => ({
  command: process.execPath,
  args: ['.mcp/server.mjs', ...(mode ? [mode] : [])],
  ...extra,
})

async function open(
  mcpServers: Record<string, unknown>,
  more: Record<string, unknown> = {},
): Promise<OpenedToolSource> {
  return openMcpServers(
    {mcpServers, ...more},
    {
      session: sandbox,
      signal: AbortSignal.timeout(60_000),
      log: silentLogger(),
      env: {TOKEN: 'secret-value'},
      takenNames: new Set(['read_file', 'run_shell_command']),
    },
  )
}

async function call(source: OpenedToolSource, name: string, args: Record<string, unknown> = {}) {
  const tool = source.tools.find((candidate) => candidate.name === name)
  if (!tool) throw new Error(`no tool ${name} in ${source.tools.map((t) => t.name).join(', ')}`)
  const params = tool.parameters.parse(args)
  return tool.execute(params, {session: sandbox, signal: AbortSignal.timeout(30_000), log: silentLogger()})
}

describe('MCP servers as a tool source', {timeout: 60_000}, () => {
  it('lists the tools under their own names, server__tool for a taken name, and leaves out an invalid schema', async () => {
    await using source = await open({fx: server()})
    const names = source.tools.map((tool) => tool.name)
    expect(names).toEqual(['whoami', 'echo', 'picture', 'big', 'crash', 'bad_result', 'flood', 'fx__read_file'])
    expect(source.notices).toEqual([
      expect.stringMatching(/^MCP server fx: tool broken_schema left out \(its input schema is invalid: .*banana/),
    ])
    expect(source.entries).toEqual([
      {name: 'fx', transport: 'stdio', runsIn: 'sandbox', state: 'connected', tools: names},
    ])
    const echo = source.tools.find((tool) => tool.name === 'echo')!
    expect(echo.kind).toBe('mcp')
    expect(echo.actsOn).toBe('sandbox')
    expect(echo.inputJsonSchema).toEqual({type: 'object', properties: {text: {type: 'string'}}, required: ['text']})
    expect((await call(source, 'echo', {text: 'hi'})).forModel).toBe('echo: hi')
    expect((await call(source, 'fx__read_file', {path: 'a'})).forModel).toBe('fixture read a')
    // Arguments are checked against the server's schema before the call.
    expect(echo.parameters.safeParse({text: 5}).success).toBe(false)
  })

  it('names a second server’s tool server__tool; includeTools, excludeTools and mcp.excluded filter', async () => {
    await using source = await open(
      {
        one: server({includeTools: ['echo', 'whoami'], trust: true}),
        two: server({excludeTools: ['crash', 'flood', 'bad_result', 'broken_schema', 'read_file', 'big', 'picture']}),
        three: server(),
      },
      {mcp: {excluded: ['three']}},
    )
    expect(source.tools.map((tool) => tool.name)).toEqual(['whoami', 'echo', 'two__whoami', 'two__echo'])
    // `trust: true` marks that server's tools, and only those, as never asked about (see approvals.ts).
    expect(source.tools.filter((tool) => tool.trusted).map((tool) => tool.name)).toEqual(['whoami', 'echo'])
    expect(source.entries.map(({name, state}) => `${name}:${state}`)).toEqual([
      'three:disabled',
      'one:connected',
      'two:connected',
    ])
  })

  it('turns images and resources into text and says what was dropped; cuts a long result', async () => {
    await using source = await open({fx: server()})
    const picture = await call(source, 'picture')
    expect(picture.forModel).toBe(
      [
        'Here is the chart.',
        '[image (image/png, 2.9 KiB) left out: this agent sends the model text only]',
        'Resource file:///workspace/notes.txt, text/plain:\nthe notes',
        'Resource link: https://example.org/report.pdf (report, application/pdf)',
      ].join('\n'),
    )
    const big = await call(source, 'big', {lines: 5000})
    expect(big.forModel).toMatch(/^line 1\n/)
    expect(big.forModel).toMatch(/\[\.\.\. 4,000 lines \(.* characters\) of the result cut here \.\.\.\]/)
    expect(big.forModel).toMatch(/line 5000$/)
  })

  it('a server that exits at start is one line naming it, with its last stderr line; the others load', async () => {
    await using source = await open({dead: server({}, 'exit-at-start'), fx: server({includeTools: ['echo']})})
    expect(source.tools.map((tool) => tool.name)).toEqual(['echo'])
    expect(source.notices).toEqual([
      'MCP server dead (in the sandbox) left out: exited with code 3: fixture: cannot start, FIXTURE_TOKEN is missing',
    ])
  })

  it('a server that hangs at initialize is left out after its timeout', async () => {
    await using source = await open({slow: server({timeout: 1500}, 'hang-at-initialize')})
    expect(source.tools).toEqual([])
    expect(source.notices).toEqual([
      'MCP server slow (in the sandbox) left out: did not answer within 1500 ms (raise its "timeout" in settings if it needs longer)',
    ])
  })

  it('a crash mid-call, a result off the protocol and a stdout flood are errors the model reads', async () => {
    await using source = await open({fx: server()})
    const bad = await call(source, 'bad_result')
    expect(bad.error?.kind).toBe('execution_failed')
    expect(bad.forModel).toMatch(/^Error: MCP server fx failed the call: its answer does not follow the MCP protocol/)
    expect((await call(source, 'echo', {text: 'still here'})).forModel).toBe('echo: still here')

    const crash = await call(source, 'crash')
    expect(crash.forModel).toBe(
      'Error: MCP server fx stopped during the call: it exited with code 7: fixture: crashing on purpose',
    )
    const after = await call(source, 'echo', {text: 'x'})
    expect(after.forModel).toMatch(/^Error: MCP server fx is not running \(it exited with code 7/)

    await using flooding = await open({flood: server({includeTools: ['flood']})})
    const flood = await call(flooding, 'flood')
    expect(flood.forModel).toMatch(
      /^Error: MCP server flood stopped during the call: it stopped: it wrote more than 8 MiB on stdout without a line break/,
    )
  })

  it('a malformed entry is one line naming the server and the key; the others load', async () => {
    await using source = await open({
      bad: {command: 'x', args: 'not-a-list'},
      none: {},
      fx: server({includeTools: ['echo']}),
    })
    expect(source.tools.map((tool) => tool.name)).toEqual(['echo'])
    expect(source.notices).toEqual([
      'MCP server bad skipped: mcpServers.bad.args must be array, received string',
      'MCP server none skipped: mcpServers.none needs one of command, url or httpUrl',
    ])
  })
})
