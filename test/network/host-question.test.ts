// Interactive mode asks about a host the allow list lacks, once per host, after the command that was refused: "always
// for this project" lets the next command through and is saved in the user's home (never in the project); "no" is
// told to the model. The built CLI runs in tmux against the scripted model, a real sandbox and the test's own servers.
// Closing the terminal keeps the session whole (its proxy and network too), and `agent discard` removes all of it.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {allowedHostsPath} from '../../src/config/project-allowed-hosts.js'
import {assertBuilt, CLI, cliEnv, runCli} from '../e2e/helpers/run-cli.js'
import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {leftoversOf, removeSandboxesOf, waitForOwnersToExit} from '../helpers/project-sandboxes.js'
import {TmuxTerminal} from '../interactive/helpers/tmux.js'
import {startUpstream, type Upstream} from './helpers/upstream.js'

const exec = promisify(execFile)
const QUESTION = /asked for web\.test:80, which sandbox\.network\.allow does not list/

let model: ScriptedModelServer
let upstream: Upstream
let home: string
let project: string

const shellCall = (id: string, command: string) => ({
  id,
  name: 'run_shell_command',
  arguments: {command, is_background: false},
})

beforeAll(async () => {
  assertBuilt('chat')
  upstream = await startUpstream()
  model = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  home = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-host-question-home-')))
  project = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-host-question-project-')))
  await fs.writeFile(path.join(project, 'README.md'), 'a project\n')
  await fs.mkdir(path.join(home, '.qwen'))
  // The user's settings: an allow list without web.test, and commands run without the approval question.
  await fs.writeFile(
    path.join(home, '.qwen', 'settings.json'),
    JSON.stringify({sandbox: {network: {allow: ['secure.test']}}, tools: {approvalMode: 'yolo'}}),
  )
}, 180_000)

afterAll(async () => {
  if (project) {
    await removeSandboxesOf(project)
    const left = await leftoversOf(project)
    await fs.rm(project, {recursive: true, force: true})
    expect(left, 'what the test left on the daemon').toEqual([])
  }
  await model?.close()
  await upstream?.stop()
  if (home) await fs.rm(home, {recursive: true, force: true})
})

describe('a host the allow list lacks, in interactive chat', () => {
  it('is asked about once; "always for this project" lets the next command through and is saved in the home', async () => {
    const curl = 'curl -sS --max-time 20 http://web.test/hello.txt'
    model.setScript([
      {toolCalls: [shellCall('first', curl)]},
      {toolCalls: [shellCall('again', curl)]},
      {toolCalls: [shellCall('other', 'curl -sS --max-time 20 http://other.test/')]},
      {toolCalls: [shellCall('other-again', 'curl -sS --max-time 20 http://other.test/')]},
      {text: 'All done.'},
    ])
    await using term = await TmuxTerminal.start({
      command: `${process.execPath} ${CLI} chat; echo "EXITED:$?"`,
      cwd: project,
      env: {
        ...cliEnv(home, model.url),
        TERM: 'xterm-256color',
        SANDBOX_AGENT_PROXY_NETWORK: upstream.network.getName(),
      },
      cols: 200,
      rows: 50,
    })
    await term.waitFor(/sandbox [0-9a-f]{8} ready/, {timeoutMs: 120_000, what: 'the sandbox to start'})
    await term.waitFor(/^> Type a message/m, {what: 'the prompt'})
    await term.type('fetch the greeting')
    await term.keys('Enter')
    await term.waitFor(QUESTION, {timeoutMs: 60_000, what: 'the question about web.test'})
    await term.type('p')
    await term.waitFor(/asked for other\.test:80/, {timeoutMs: 60_000, what: 'the question about other.test'})
    await term.type('n')
    const screen = await term.waitFor(/All done\./, {timeoutMs: 60_000, what: 'the answer'})
    expect(screen).toContain('network: web.test allowed for this project')
    expect(screen).toContain('network: other.test refused for this session')

    const results = (model.chatRequests().at(-1)?.body?.messages ?? [])
      .filter((message) => message.role === 'tool')
      .map((message) => String(message.content))
    expect(results).toHaveLength(4)
    const [first = '', again = '', other = '', otherAgain = ''] = results
    expect(first).toContain('network: refused web.test:80 (not in sandbox.network.allow')
    expect(first).toContain(`network: the user allowed web.test for this project (saved in ${allowedHostsPath(home)})`)
    expect(first).toContain('run the command again to reach it')
    expect(again).toContain('hello from web.test')
    expect(again).not.toContain('network:')
    expect(other).toContain('network: refused other.test:80 (not in sandbox.network.allow')
    expect(other).toContain('network: the user refused other.test; do not try to reach it again')
    // Asked once per host: the second refusal gets the same answer without a question.
    expect(otherAgain).toContain('network: the user refused other.test; do not try to reach it again')
    expect((await term.everything()).match(/network: other\.test refused for this session/g)).toHaveLength(1)

    const saved = JSON.parse(await fs.readFile(allowedHostsPath(home), 'utf8')) as Record<string, string[]>
    expect(saved).toEqual({[project]: ['web.test']})
    expect((await fs.stat(allowedHostsPath(home))).mode & 0o777).toBe(0o600)
    // Nothing written in the project itself.
    expect(await fs.readdir(project)).toEqual(['README.md'])

    // The terminal closes (SIGHUP): the chat stops and keeps its session, its proxy (and network, volumes) with it.
    await term[Symbol.asyncDispose]()
    await waitForOwnersToExit(project)
    const {stdout} = await exec('docker', [
      ...['ps', '-a', '--filter', `label=dev.sandbox-agent.workspace=${project}`],
      ...['--format', '{{.Names}} {{.State}}'],
    ])
    const containers = stdout.split('\n').filter(Boolean).sort()
    const id = /^sandbox-agent-(\w+)--kept exited$/m.exec(stdout)?.[1] ?? 'none'
    expect(containers).toEqual([`sandbox-agent-${id}--kept exited`, `sandbox-agent-${id}-proxy exited`])
    // Discarding the kept session removes all of it: no network, volume or proxy is left behind.
    const discard = await runCli(['discard', id], {cwd: project, env: cliEnv(home, model.url)})
    expect(discard.exitCode, discard.stderr).toBe(0)
    expect(await leftoversOf(project)).toEqual([])
  })
})
