// Resuming a conversation with the built CLI, a real sandbox and the scripted model: `--continue` sends the earlier
// history, and goes on in the sandbox the first run kept (its changes still there); once that sandbox is discarded,
// the next `--continue` starts from a fresh copy, says so, and tells the model.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import type {ChatRequestBody} from '../fixtures/scripted-model/script.js'
import {CLI, cliEnv, runCli} from '../e2e/helpers/run-cli.js'

const exec = promisify(execFile)

let server: ScriptedModelServer
let home: string
let project: string
const kept = new Set<string>()

beforeAll(async () => {
  await fs.access(CLI.replace(/bin\/run\.js$/, 'dist/commands/run.js'))
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sa-resume-home-'))
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'sa-resume-project-'))
  await fs.writeFile(path.join(project, 'README.md'), '# resume me\n')
})
afterAll(async () => {
  for (const id of kept)
    await exec(process.execPath, [CLI, 'discard', id], {env: cliEnv(home, server.url)}).catch(() => undefined)
  await server?.close()
  await fs.rm(home, {recursive: true, force: true})
  await fs.rm(project, {recursive: true, force: true})
})

const shell = (id: string, command: string) => ({
  id,
  name: 'run_shell_command',
  arguments: {command, description: 'work', is_background: false},
})

function keptId(stderr: string): string {
  const id = /agent diff (\S+)`/.exec(stderr)?.[1]
  expect(id, stderr).toBeTruthy()
  kept.add(id as string)
  return id as string
}

const toolResult = (body: ChatRequestBody | undefined, id: string) =>
  String(body?.messages.find((m) => m.role === 'tool' && m.tool_call_id === id)?.content ?? '')

describe('agent run --continue', () => {
  it('sends the earlier history and works on in the kept sandbox; after a discard, starts fresh and says so', async () => {
    const env = cliEnv(home, server.url)
    server.setScript([{toolCalls: [shell('w1', 'echo first-run-was-here > notes.txt')]}, {text: 'Wrote notes.txt.'}])
    const first = await runCli(['run', 'write some notes'], {cwd: project, env})
    expect(first.exitCode).toBe(0)
    const sandbox = keptId(first.stderr)
    await expect(fs.access(path.join(project, 'notes.txt'))).rejects.toThrow()

    const before = server.chatRequests().length
    server.setScript([{toolCalls: [shell('r1', 'cat notes.txt')]}, {text: 'It says first-run-was-here.'}])
    const second = await runCli(['run', '--continue', 'what is in the notes?'], {cwd: project, env})
    expect(second.stderr).not.toMatch(/^Error/m)
    expect(second.exitCode).toBe(0)
    expect(second.stderr).toMatch(/^Resuming session \S+ \(\d+ messages\)$/m)
    expect(second.stderr).toContain(`Re-opened the sandbox ${sandbox} kept by the earlier run`)
    const [opening, answer] = server
      .chatRequests()
      .slice(before)
      .map((r) => r.body)
    // The model saw the first run's whole exchange, then the new prompt, and no "fresh sandbox" note.
    const shown = opening?.messages.map(
      (m) => `${m.role}:${typeof m.content === 'string' ? m.content.slice(0, 40) : ''}`,
    )
    expect(shown?.slice(1)).toEqual([
      'user:write some notes',
      'assistant:',
      'tool:' + toolResult(opening, 'w1').slice(0, 40),
      'assistant:Wrote notes.txt.',
      'user:what is in the notes?',
    ])
    expect(JSON.stringify(opening?.messages)).not.toContain('fresh sandbox')
    // The sandbox's state was carried: the file the first run wrote is there.
    expect(toolResult(answer, 'r1')).toContain('first-run-was-here')
    expect(keptId(second.stderr)).toBe(sandbox)

    // Gone (discarded): the next --continue starts from the project and tells both the user and the model.
    await exec(process.execPath, [CLI, 'discard', sandbox], {env})
    kept.delete(sandbox)
    const third = server.chatRequests().length
    server.setScript([{toolCalls: [shell('r2', 'cat notes.txt')]}, {text: 'The notes are gone.'}])
    const fresh = await runCli(['run', '--continue', 'and now?'], {cwd: project, env})
    expect(fresh.exitCode).toBe(0)
    expect(fresh.stderr).toMatch(
      new RegExp(
        `Note: the sandbox ${sandbox} of this conversation cannot be re-opened: .*; starting from a fresh copy`,
      ),
    )
    const [freshOpening, freshAnswer] = server
      .chatRequests()
      .slice(third)
      .map((r) => r.body)
    expect(freshOpening?.messages.filter((m) => m.role === 'user').map((m) => m.content)).toContain(
      'Note: this conversation is resumed in a fresh sandbox with a new copy of the project. Changes made earlier in ' +
        'the conversation that the user did not apply are gone: look at the files again before relying on them.',
    )
    expect(freshOpening?.messages.some((m) => m.content === 'what is in the notes?')).toBe(true)
    expect(toolResult(freshAnswer, 'r2')).toMatch(/No such file/)
  })
})
