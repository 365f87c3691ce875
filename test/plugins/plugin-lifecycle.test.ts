// A third-party plugin's whole life against the built CLI: link it, see its tool, use it in a run, uninstall it, gone.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {assertBuilt, cliEnv, REPO_ROOT, runCli} from '../e2e/helpers/run-cli.js'
import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {writeToolsPlugin} from './helpers/tools-plugin.js'

const exec = promisify(execFile)
const EXAMPLE = path.join(REPO_ROOT, 'test', 'fixtures', 'example-plugin')
const EXAMPLE_NAME = 'sandbox-agent-plugin-word-count'

let home: string
let project: string
let server: ScriptedModelServer

/** The user's data, cache and config dirs all live in the temp home, so their real plugins are never touched. */
function env(): Record<string, string | undefined> {
  return cliEnv(home, server.url, {
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    // oclif warns that a linked ESM plugin "cannot be auto-transpiled" even when it is plain JavaScript.
    OCLIF_DISABLE_LINKED_ESM_WARNING: '1',
  })
}

async function toolsJson(): Promise<{name: string; plugin: string; actsOn: string; enabled: boolean}[]> {
  const result = await runCli(['tools', '--json'], {cwd: project, env: env()})
  expect(result.stderr).toBe('')
  expect(result.exitCode).toBe(0)
  return (JSON.parse(result.stdout) as {tools: {name: string; plugin: string; actsOn: string; enabled: boolean}[]})
    .tools
}

async function sandboxImageAvailable(): Promise<boolean> {
  const docker = await exec('docker', ['images', '-q', 'sandbox-agent/sandbox']).catch(() => undefined)
  return Boolean(docker?.stdout.trim())
}

beforeAll(async () => {
  assertBuilt('tools')
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-plugins-home-'))
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-plugins-project-'))
  await fs.writeFile(path.join(project, 'poem.txt'), 'roses are red\nviolets are blue\n')
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
})

afterAll(async () => {
  await server?.close()
  for (const dir of [home, project]) if (dir) await fs.rm(dir, {recursive: true, force: true})
})

describe('plugin lifecycle (built CLI)', () => {
  it('links the example plugin, lists its tool, uses it in a run, uninstalls it', async () => {
    expect((await toolsJson()).map((tool) => tool.name)).not.toContain('word_count')

    const link = await runCli(['plugins', 'link', '--no-install', EXAMPLE], {cwd: project, env: env()})
    expect(link.exitCode, link.stderr).toBe(0)
    const listed = await runCli(['plugins'], {cwd: project, env: env()})
    expect(listed.stdout).toContain(EXAMPLE_NAME)

    const wordCount = (await toolsJson()).find((tool) => tool.name === 'word_count')
    expect(wordCount).toMatchObject({plugin: EXAMPLE_NAME, actsOn: 'sandbox', enabled: true})

    const table = await runCli(['tools'], {cwd: project, env: env()})
    expect(table.stdout).toMatch(/^word_count\s+read\s+sandbox\s+sandbox-agent-plugin-word-count\s+enabled$/m)

    // Settings apply to plugin tools by name.
    await fs.mkdir(path.join(project, '.qwen'), {recursive: true})
    await fs.writeFile(path.join(project, '.qwen', 'settings.json'), JSON.stringify({tools: {exclude: ['word_count']}}))
    expect((await toolsJson()).find((tool) => tool.name === 'word_count')).toMatchObject({enabled: false})
    await fs.rm(path.join(project, '.qwen'), {recursive: true})

    if (await sandboxImageAvailable()) {
      server.setScript([
        {toolCalls: [{id: 'call_wc', name: 'word_count', arguments: {path: 'poem.txt'}}]},
        {text: 'poem.txt has 2 lines.'},
      ])
      const run = await runCli(['run', '-o', 'json', 'how long is poem.txt?'], {
        cwd: project,
        env: env(),
        timeoutMs: 120_000,
      })
      expect(run.exitCode, run.stderr).toBe(0)
      const toolMessages = server
        .chatRequests()
        .flatMap((request) => request.body?.messages ?? [])
        .filter((message) => message.role === 'tool')
      expect(toolMessages.map((message) => String(message.content))).toEqual([
        expect.stringContaining('/workspace/poem.txt: 2 lines, 6 words, 31 bytes'),
      ])
      const offered = server.chatRequests()[0]?.body?.tools?.map((tool) => tool.function.name)
      expect(offered).toContain('word_count')
    } else {
      console.warn('sandbox image missing (agent sandbox build): skipped the run with the plugin tool')
    }

    const uninstall = await runCli(['plugins', 'uninstall', EXAMPLE_NAME], {cwd: project, env: env()})
    expect(uninstall.exitCode, uninstall.stderr).toBe(0)
    expect((await toolsJson()).map((tool) => tool.name)).not.toContain('word_count')
  })

  it('reports a broken plugin in one line and keeps going', async () => {
    const broken = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-broken-plugin-'))
    try {
      await writeToolsPlugin(broken, 'broken-plugin', "export default async () => { throw new Error('kaboom') }\n")
      expect((await runCli(['plugins', 'link', '--no-install', broken], {cwd: project, env: env()})).exitCode).toBe(0)
      const result = await runCli(['tools', '--json'], {cwd: project, env: env()})
      expect(result.exitCode).toBe(0)
      expect(result.stderr.trim().split('\n')).toEqual([
        'Warning: Plugin broken-plugin skipped: its agent:tools hook failed: kaboom',
      ])
      expect(JSON.parse(result.stdout)).toHaveProperty('tools')
      await runCli(['plugins', 'uninstall', 'broken-plugin'], {cwd: project, env: env()})
    } finally {
      await fs.rm(broken, {recursive: true, force: true})
    }
  })
})
