// The built CLI against the scripted model: the first request carries the system prompt with the project's context
// files in Qwen Code's order, imports expanded inside the project and refused outside it; save_memory writes the host.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {cliEnv, runCli, CLI} from '../e2e/helpers/run-cli.js'

const exec = promisify(execFile)

let server: ScriptedModelServer
let home: string
let project: string

beforeAll(async () => {
  await fs.access(CLI.replace(/bin\/run\.js$/, 'dist/commands/run.js'))
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
})
afterAll(async () => {
  await server?.close()
})
beforeEach(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sa-context-home-'))
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'sa-context-project-'))
  await exec('git', ['init', '-q', project])
  return async () => {
    await fs.rm(home, {recursive: true, force: true})
    await fs.rm(project, {recursive: true, force: true})
  }
})

async function write(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), {recursive: true})
  await fs.writeFile(file, text)
}

function systemMessage(request = 0): string {
  const body = server.chatRequests()[request]?.body
  const first = body?.messages[0]
  expect(first?.role).toBe('system')
  return String(first?.content)
}

describe('project context files in the first request', () => {
  it('sends global, project and subdirectory files in order with imports; save_memory appends to ~/.qwen/QWEN.md', async () => {
    await write(path.join(home, '.qwen', 'QWEN.md'), '# Mine\nGLOBAL RULE')
    await write(path.join(project, 'QWEN.md'), 'PROJECT RULE\n@./docs/style.md\n@../outside.md')
    await write(path.join(project, 'docs', 'style.md'), 'IMPORTED STYLE')
    await write(path.join(project, 'AGENTS.md'), 'AGENTS RULE')
    await write(path.join(project, 'lib', 'QWEN.md'), 'LIB RULE')
    await write(path.join(path.dirname(project), 'outside.md'), 'NOT FOR THE MODEL')
    server.setScript([
      {toolCalls: [{id: 'm1', name: 'save_memory', arguments: {fact: 'The user prefers tabs'}}]},
      {text: 'Remembered.'},
    ])
    const result = await runCli(['run', '--yolo', '-o', 'stream-json', 'remember that I prefer tabs'], {
      cwd: project,
      env: cliEnv(home, server.url),
    })
    expect(result.stderr).not.toMatch(/^Error/m)
    expect(result.exitCode).toBe(0)

    const system = systemMessage()
    expect(system).toMatch(/^You are a coding agent/)
    const order = ['~/.qwen/QWEN.md', 'QWEN.md', 'AGENTS.md', 'lib/QWEN.md'].map((name) =>
      system.indexOf(`--- Context from: ${name} ---`),
    )
    expect(order.every((index) => index > 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(system).toContain('GLOBAL RULE')
    expect(system).toContain('<!-- Imported from: ./docs/style.md -->\nIMPORTED STYLE')
    expect(system).toContain('<!-- Import failed: ../outside.md - outside the project -->')
    expect(system).not.toContain('NOT FOR THE MODEL')
    expect(result.stderr).toContain('Note: Import @../outside.md in QWEN.md not read: outside the project')

    // save_memory acted on the host file (allowed by --yolo); the second request saw its result.
    expect(await fs.readFile(path.join(home, '.qwen', 'QWEN.md'), 'utf8')).toBe(
      '# Mine\nGLOBAL RULE\n\n## Qwen Added Memories\n- The user prefers tabs\n',
    )
  })

  it('--system-prompt replaces the built-in prompt and --append-system-prompt extends it; the context stays', async () => {
    await write(path.join(project, 'QWEN.md'), 'PROJECT RULE')
    await write(path.join(project, 'prompt.md'), 'CUSTOM PROMPT FROM A FILE')
    server.setScript([{text: 'ok'}])
    const result = await runCli(
      ['run', '--system-prompt', 'prompt.md', '--append-system-prompt', 'APPENDED', 'hello'],
      {cwd: project, env: cliEnv(home, server.url)},
    )
    expect(result.exitCode).toBe(0)
    const system = systemMessage(server.chatRequests().length - 1)
    expect(system).toMatch(
      /^CUSTOM PROMPT FROM A FILE\n\nAPPENDED\n\n---\n\n--- Context from: QWEN.md ---\nPROJECT RULE/,
    )
  })

  it('a save_memory call in a non-interactive run without --yolo is refused and the file is left alone', async () => {
    server.setScript([
      {toolCalls: [{id: 'm1', name: 'save_memory', arguments: {fact: 'nope'}}]},
      {text: 'Could not save.'},
    ])
    const result = await runCli(['run', 'remember nope'], {cwd: project, env: cliEnv(home, server.url)})
    expect(result.exitCode).toBe(0)
    await expect(fs.access(path.join(home, '.qwen', 'QWEN.md'))).rejects.toThrow()
  })
})
