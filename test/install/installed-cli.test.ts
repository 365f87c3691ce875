// The installed form, as a user gets it: `npm pack`, `npm install -g` into an empty prefix (dependencies from a loopback
// registry), then `agent` used from outside the clone with an empty HOME, and a third-party plugin's whole life in it.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {bundleFixtureServer} from '../../plugins/mcp/src/test-support/bundle-fixture-server.js'
import {cliEnv, REPO_ROOT, runCli, type CliResult} from '../e2e/helpers/run-cli.js'
import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {startLockfileRegistry, type LockfileRegistry} from '../helpers/lockfile-registry.js'

const exec = promisify(execFile)
const EXAMPLE = path.join(REPO_ROOT, 'test', 'fixtures', 'example-plugin')
const EXAMPLE_NAME = 'sandbox-agent-plugin-word-count'
/** Nothing listens here: a plugin install that needed the registry would fail at once. */
const UNREACHABLE_REGISTRY = 'http://127.0.0.1:9/'

let work: string
let home: string
let project: string
let author: string
let agentBin: string
let packageFiles: string[]
let registry: LockfileRegistry
let server: ScriptedModelServer

async function npm(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<string> {
  const {stdout} = await exec('npm', args, {
    cwd,
    env: {...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', ...env},
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  })
  return stdout
}

function agent(args: string[], options: {cwd?: string; env?: Record<string, string>} = {}): Promise<CliResult> {
  return runCli(args, {
    bin: agentBin,
    cwd: options.cwd ?? project,
    env: cliEnv(home, server.url, options.env),
    timeoutMs: 120_000,
  })
}

/** Runs `agent run -o json <task>` (it must succeed) and returns what the model was told by the last tool call. */
async function lastToolResultOfRun(task: string): Promise<string> {
  const run = await agent(['run', '-o', 'json', task])
  expect(run.exitCode, run.stderr).toBe(0)
  const toolMessages = server
    .chatRequests()
    .flatMap((request) => request.body?.messages ?? [])
    .filter((message) => message.role === 'tool')
  return String(toolMessages.at(-1)?.content)
}

async function toolNames(): Promise<{name: string; plugin: string}[]> {
  const result = await agent(['tools', '--json'])
  expect(result.exitCode, result.stderr).toBe(0)
  return (JSON.parse(result.stdout) as {tools: {name: string; plugin: string}[]}).tools
}

beforeAll(async () => {
  work = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandboxed-agent-install-')))
  home = path.join(work, 'home')
  project = path.join(work, 'project')
  author = path.join(work, 'author', 'word-count')
  await fs.mkdir(home, {recursive: true})
  await fs.mkdir(project, {recursive: true})
  await fs.writeFile(path.join(project, 'poem.txt'), 'roses are red\nviolets are blue\n')
  await fs.cp(EXAMPLE, author, {recursive: true})

  const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', work], REPO_ROOT)) as {
    filename: string
    files: {path: string}[]
  }[]
  const tarball = path.join(work, packed[0]?.filename ?? '')
  packageFiles = packed[0]?.files.map((file) => file.path) ?? []
  // Packed as an older plugin would be: its peer dependency on the CLI required, which npm would otherwise fetch.
  const manifest = JSON.parse(await fs.readFile(path.join(author, 'package.json'), 'utf8')) as Record<string, unknown>
  const {peerDependenciesMeta: _optional, ...required} = manifest
  await fs.writeFile(path.join(author, 'package.json'), JSON.stringify(required, null, 2))
  await npm(['pack', '--pack-destination', path.dirname(author)], author)
  await fs.writeFile(path.join(author, 'package.json'), JSON.stringify(manifest, null, 2))

  const npmCache = (await npm(['config', 'get', 'cache'], work)).trim()
  registry = await startLockfileRegistry(path.join(REPO_ROOT, 'package-lock.json'), npmCache)
  const prefix = path.join(work, 'prefix')
  await npm(['install', '-g', '--prefix', prefix, '--no-audit', tarball], work, {
    npm_config_registry: registry.url,
    npm_config_cache: path.join(work, 'npm-cache'),
    HOME: path.join(work, 'npm-home'),
  })
  agentBin = path.join(prefix, 'bin', 'agent')
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
}, 400_000)

afterAll(async () => {
  await server?.close()
  await registry?.close()
  if (work) await fs.rm(work, {recursive: true, force: true})
})

describe('the installed package', () => {
  it('holds the built CLI and nothing of the clone it does not need', () => {
    expect(packageFiles).toContain('bin/run.js')
    expect(packageFiles).toContain('oclif.manifest.json')
    expect(packageFiles).toContain('dist/plugin-kit/index.js')
    expect(packageFiles).toContain('sandbox-images/default/image.json')
    expect(packageFiles).toContain('sandbox-images/default/rootfs/opt/sandbox-agent/runner.js')
    // Our own files only: bundled dependencies (the MCP SDK's) come as their authors publish them, maps and tests too.
    const strays = packageFiles.filter(
      (file) =>
        !file.startsWith('node_modules/') &&
        /^(src|test|bench|docs|plugins|scripts|\.ci)\/|\.map$|\.test\.js$|^bin\/dev\.js$/.test(file),
    )
    expect(strays).toEqual([])
    expect(registry.unknown).toEqual([])
  })

  it('answers --version, doctor, tools, auth list and sandbox build from outside the clone', async () => {
    const version = await agent(['--version'])
    expect(version.stdout).toMatch(/^sandboxed-agent\/\d+\.\d+\.\d+ linux-/)

    const doctor = await agent(['doctor'])
    expect(doctor.stdout).toMatch(/✓ Node\.js/)
    expect(doctor.stdout).toMatch(/✓ Docker daemon/)
    expect(doctor.stdout).toMatch(/✓ Sandbox image/)
    expect(doctor.stdout).toMatch(/✓ Authentication/)
    expect(doctor.exitCode, doctor.stdout + doctor.stderr).toBe(0)

    const tools = await toolNames()
    expect(tools).toContainEqual(expect.objectContaining({name: 'read_file', plugin: '@sandboxed-agent/tools-fs'}))
    expect(tools.map((tool) => tool.name)).toContain('run_shell_command')

    const auth = await agent(['auth', 'list'])
    expect(auth.exitCode, auth.stderr).toBe(0)
    expect(auth.stdout).toContain('qwen-oauth')

    const build = await agent(['sandbox', 'build'])
    expect(build.exitCode, build.stderr).toBe(0)
  })

  it('runs the agent against the model with every tool call in the sandbox', async () => {
    server.setScript([
      {
        toolCalls: [
          {id: 'call_cat', name: 'run_shell_command', arguments: {command: 'wc -l poem.txt', is_background: false}},
        ],
      },
      {text: 'poem.txt has 2 lines.'},
    ])
    expect(await lastToolResultOfRun('how long is poem.txt?')).toContain('2 poem.txt')
  })

  it('runs an MCP server from the user settings inside the sandbox with the bundled MCP plugin', async () => {
    await bundleFixtureServer(path.join(project, '.mcp', 'server.mjs'))
    const settings = path.join(home, '.qwen', 'settings.json')
    await fs.mkdir(path.dirname(settings), {recursive: true})
    await fs.writeFile(settings, JSON.stringify({mcpServers: {fx: {command: 'node', args: ['.mcp/server.mjs']}}}))
    try {
      server.setScript([
        {toolCalls: [{id: 'call_echo', name: 'echo', arguments: {text: 'from the installed copy'}}]},
        {text: 'It answered.'},
      ])
      const run = await agent(['run', '-o', 'json', 'call echo'])
      expect(run.exitCode, run.stderr).toBe(0)
      const toolMessages = server
        .chatRequests()
        .flatMap((request) => request.body?.messages ?? [])
        .filter((message) => message.role === 'tool')
      expect(String(toolMessages.at(-1)?.content)).toBe('echo: from the installed copy')
    } finally {
      await fs.rm(settings)
      await fs.rm(path.join(project, '.mcp'), {recursive: true})
    }
  })

  it('installs a plugin tarball by its plain path with no registry reachable, uses its tool, uninstalls it', async () => {
    const offline = {npm_config_registry: UNREACHABLE_REGISTRY}
    const install = await agent(['plugins', 'install', `./${EXAMPLE_NAME}-1.0.0.tgz`], {
      cwd: path.dirname(author),
      env: offline,
    })
    expect(install.exitCode, install.stderr).toBe(0)
    expect(await toolNames()).toContainEqual(expect.objectContaining({name: 'word_count', plugin: EXAMPLE_NAME}))

    // The plugin's `sandboxed-agent/plugin` import is the installed CLI's kit: npm fetched no second copy.
    const dataDir = path.join(home, '.local', 'share', 'sandbox-agent')
    await expect(fs.access(path.join(dataDir, 'node_modules', 'sandboxed-agent'))).rejects.toThrow()

    server.setScript([
      {toolCalls: [{id: 'call_wc', name: 'word_count', arguments: {path: 'poem.txt'}}]},
      {text: 'poem.txt has 2 lines.'},
    ])
    expect(await lastToolResultOfRun('how long is poem.txt?')).toContain(
      '/workspace/poem.txt: 2 lines, 6 words, 31 bytes',
    )

    const uninstall = await agent(['plugins', 'uninstall', EXAMPLE_NAME])
    expect(uninstall.exitCode, uninstall.stderr).toBe(0)
    expect((await toolNames()).map((tool) => tool.name)).not.toContain('word_count')
  })

  it('links a plugin folder outside the clone, as the plugin guide says, without warnings', async () => {
    const link = await agent(['plugins', 'link', '--no-install', author])
    expect(link.exitCode, link.stderr).toBe(0)
    const tools = await agent(['tools', '--json'])
    expect(tools.stderr).toBe('')
    expect((JSON.parse(tools.stdout) as {tools: {name: string}[]}).tools.map((tool) => tool.name)).toContain(
      'word_count',
    )
    const unlink = await agent(['plugins', 'unlink', EXAMPLE_NAME])
    expect(unlink.exitCode, unlink.stderr).toBe(0)
  })

  it('says what to type for a plugin path that does not exist', async () => {
    const result = await agent(['plugins', 'install', './missing-plugin.tgz'], {
      env: {npm_config_registry: UNREACHABLE_REGISTRY},
    })
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        `^Error: No plugin tarball or folder at ${path.join(project, 'missing-plugin.tgz')}\\. Give`,
      ),
    ])
  })
})
