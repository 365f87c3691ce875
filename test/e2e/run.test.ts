// End to end: the built CLI against the scripted model and a real sandbox container; the host changes only with --apply.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {streamJsonMessageSchema, type StreamJsonMessage} from '../../src/output/stream-json-schema.js'
import {startScriptedModel, type ScriptStep, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {assertBuilt, CLI, cliEnv, runCli} from './helpers/run-cli.js'

const exec = promisify(execFile)

const BUGGY = 'module.exports = (a, b) => a - b\n'
const TEST = `const add = require('./add.js')
const got = add(2, 3)
if (got !== 5) {
  console.error('FAIL: add(2, 3) = ' + got + ', expected 5')
  process.exit(1)
}
console.log('PASS: add(2, 3) = 5')
`

const shell = (id: string, command: string, description: string) => ({
  id,
  name: 'run_shell_command',
  arguments: {command, description, is_background: false},
})

/** A multi-turn fix with the failures a real endpoint throws at us along the way. */
function fixScript(): ScriptStep[] {
  return [
    {fault: {kind: 'http', status: 429, retryAfter: 0}},
    {
      text: 'Let me run the tests first.',
      toolCalls: [
        shell('call_test1', 'node test.js', 'Run the tests'),
        shell('call_env', 'printenv QWEN_CODE; printenv OPENAI_API_KEY || echo no-key-here', 'Look at the environment'),
      ],
    },
    {toolCalls: [{id: 'call_unknown', name: 'apply_patch', arguments: {patch: '...'}}]},
    {fault: {kind: 'http', status: 500}},
    {toolCalls: [{id: 'call_badjson', name: 'run_shell_command', arguments: '{"command": "ls'}]},
    {
      text: 'add() subtracts. Fixing it.',
      toolCalls: [shell('call_fix', "sed -i 's/a - b/a + b/' add.js", 'Fix add()')],
    },
    {text: 'x', fault: {kind: 'malformed', afterChunks: 0}},
    {toolCalls: [shell('call_test2', 'node test.js', 'Run the tests again')]},
    {text: 'Fixed `add` in add.js: it subtracted instead of adding. `node test.js` passes now.'},
  ]
}

let server: ScriptedModelServer
let home: string
let project: string
const keptSessions: string[] = []

beforeAll(async () => {
  assertBuilt('run')
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-e2e-home-'))
})

afterAll(async () => {
  for (const id of keptSessions) await discard(id)
  await server?.close()
  if (home) await fs.rm(home, {recursive: true, force: true})
})

beforeEach(async () => {
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-e2e-project-'))
  await fs.writeFile(path.join(project, 'add.js'), BUGGY)
  await fs.writeFile(path.join(project, 'test.js'), TEST)
})

/** Removes a kept session this test created: `agent discard`, or the container and volume by name. */
async function discard(id: string): Promise<void> {
  const viaCli = await exec(process.execPath, [CLI, 'discard', id], {env: cliEnv(home, server.url)}).then(
    () => true,
    () => false,
  )
  if (viaCli) return
  const {stdout} = await exec('docker', ['ps', '-aq', '--filter', `name=sandbox-agent-${id}`]).catch(() => ({
    stdout: '',
  }))
  for (const container of stdout.split('\n').filter(Boolean))
    await exec('docker', ['rm', '-f', container]).catch(() => undefined)
  await exec('docker', ['volume', 'rm', '-f', `sandbox-agent-${id}-workspace`]).catch(() => undefined)
}

function toolResults(): Record<string, string> {
  const last = server.chatRequests().at(-1)?.body
  const results: Record<string, string> = {}
  for (const message of last?.messages ?? []) {
    if (message.role === 'tool' && message.tool_call_id) results[message.tool_call_id] = String(message.content)
  }
  return results
}

function parseStreamJson(stdout: string): StreamJsonMessage[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => streamJsonMessageSchema.parse(JSON.parse(line)))
}

describe('agent run (built CLI, real sandbox, scripted model)', () => {
  it('fixes a bug over several turns in the sandbox; without --apply the host file stays as it was', async () => {
    server.setScript(fixScript())
    const result = await runCli(['run', '-o', 'stream-json', 'make the tests pass'], {
      cwd: project,
      env: cliEnv(home, server.url),
    })
    const messages = parseStreamJson(result.stdout)
    const final = messages.at(-1)
    if (final?.type === 'result') keptSessions.push(final.sandbox_session_id)
    expect(result.stderr).not.toMatch(/^Error/m)
    expect(result.exitCode).toBe(0)

    // What the model saw: the failing run, the environment, its own mistakes explained, then the passing run.
    const seen = toolResults()
    expect(seen.call_test1).toMatch(/Exit Code: 1/)
    expect(seen.call_test1).toMatch(/FAIL: add\(2, 3\) = -1, expected 5/)
    expect(seen.call_env).toMatch(/^Stdout: 1$/m)
    expect(seen.call_env).toMatch(/no-key-here/)
    expect(seen.call_env).not.toMatch(/sk-e2e-test/)
    expect(seen.call_unknown).toMatch(/Tool "apply_patch" does not exist/)
    expect(seen.call_badjson).toMatch(/not valid JSON/)
    expect(seen.call_test2).toMatch(/Exit Code: 0/)
    expect(seen.call_test2).toMatch(/PASS: add\(2, 3\) = 5/)
    expect(server.stepsUsed).toBe(fixScript().length)

    // The protocol: init, retries reported, tool results, and a result naming the changed file.
    expect(messages[0]).toMatchObject({
      type: 'system',
      subtype: 'init',
      tools: expect.arrayContaining(['run_shell_command']),
    })
    expect(messages.filter((m) => m.type === 'system' && m.subtype === 'model_retry')).toHaveLength(3)
    expect(final).toMatchObject({
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: 6,
      result: expect.stringMatching(/^Fixed `add`/),
      changed_files: [{path: 'add.js', kind: 'modified'}],
    })

    // The host copy is untouched; the sandbox was kept for review.
    expect(await fs.readFile(path.join(project, 'add.js'), 'utf8')).toBe(BUGGY)
    expect(result.stderr).toMatch(/agent (diff|apply|discard) [0-9a-f]+/)
  })

  it('with --apply writes the sandbox changes back to the project', async () => {
    server.setScript(fixScript())
    const result = await runCli(['run', '--apply', 'make the tests pass'], {
      cwd: project,
      env: cliEnv(home, server.url),
    })
    expect(result.exitCode).toBe(0)
    expect(await fs.readFile(path.join(project, 'add.js'), 'utf8')).toBe('module.exports = (a, b) => a + b\n')
    // Text output: the answer on stdout, the work on stderr.
    expect(result.stdout).toContain('Fixed `add` in add.js')
    expect(result.stdout).not.toContain('PASS: add')
    expect(result.stderr).toContain('● run_shell_command')
    expect(result.stderr).toMatch(/Done · 6 turns · .* · 1 file changed\n {2}M add\.js\nApplied 1 file/)
    const {stdout: left} = await exec('node', ['test.js'], {cwd: project})
    expect(left).toContain('PASS')
  })

  it('stops at --max-turns with an error result and exit code 1', async () => {
    server.setScript([{toolCalls: [shell('c1', 'true', 'nothing')]}, {toolCalls: [shell('c2', 'true', 'nothing')]}])
    const result = await runCli(['run', '-o', 'json', '--max-turns', '1', 'loop forever'], {
      cwd: project,
      env: cliEnv(home, server.url),
    })
    expect(result.exitCode).toBe(1)
    const messages = (JSON.parse(result.stdout) as unknown[]).map((m) => streamJsonMessageSchema.parse(m))
    expect(messages.at(-1)).toMatchObject({
      type: 'result',
      subtype: 'error_max_turns',
      is_error: true,
      num_turns: 1,
      changed_files: [],
    })
  })

  it('Ctrl-C stops the running command (the model is told and goes on), a second Ctrl-C ends the run', async () => {
    const sleeper = (id: string, word: string) => shell(id, `echo ${word}; sleep 60`, 'wait')
    server.setScript([
      {toolCalls: [sleeper('s1', 'first')]},
      {text: 'Trying once more.', toolCalls: [sleeper('s2', 'second')]},
      {text: 'never'},
    ])
    const sent: string[] = []
    const result = await runCli(['run', 'wait for it'], {
      cwd: project,
      env: cliEnv(home, server.url),
      onStderr: (stderr, kill) => {
        for (const word of ['first', 'second']) {
          if (!sent.includes(word) && stderr.includes(`│ ${word}`)) {
            sent.push(word)
            kill('SIGINT')
          }
        }
      },
    })
    expect(sent).toEqual(['first', 'second'])
    expect(result.exitCode).toBe(130)
    expect(toolResults().s1).toMatch(/cancelled by user/i)
    expect(result.stderr).toMatch(/Stopping the running command[\s\S]*Ending the run[\s\S]*Cancelled · 2 turns/)
    expect(server.stepsUsed).toBe(2)
    const id = /session ([0-9a-f]+)/.exec(result.stderr)?.[1]
    const {stdout: left} = await exec('docker', ['ps', '-aq', '--filter', `name=sandbox-agent-${id}`])
    expect(left.trim()).toBe('')
  })
})
