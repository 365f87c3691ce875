// Interactive mode end to end, part three: typing the next message while a turn runs (queued, shown, taken back with
// Up and edited, sent when the turn ends), a large bracketed paste shown as [pasted N lines] and sent whole, and the
// model's markdown rendered in the transcript; `agent run` renders it on a terminal and prints it as it came when
// piped. The built CLI runs in tmux at 80x24 against the scripted model and a real sandbox container.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {assertBuilt, CLI, cliEnv} from '../e2e/helpers/run-cli.js'
import {TmuxTerminal} from './helpers/tmux.js'

const exec = promisify(execFile)

const WORKSPACE_LABEL = 'dev.sandbox-agent.workspace'
const MARKDOWN =
  'Here is **Bold words** and *slanted* text.\n\n' +
  '```js\nconst answer = 42\n```\n\n' +
  '| name | value |\n|------|-------|\n| alpha | 1 |\n'
const PASTED = Array.from({length: 30}, (_, i) => `pasted line ${i + 1}`).join('\n')

let server: ScriptedModelServer
let home: string
let project: string

beforeAll(async () => {
  assertBuilt('chat')
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-typing-home-'))
  project = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-typing-project-')))
  await fs.writeFile(path.join(project, 'README.md'), '# demo\n')
})

afterAll(async () => {
  // A failed run may leave its sandbox behind: remove whatever this file's project still has.
  if (project) {
    const {stdout} = await exec('docker', ['ps', '-aq', '--filter', `label=${WORKSPACE_LABEL}=${project}`])
    for (const id of stdout.split('\n').filter(Boolean)) await exec('docker', ['rm', '-f', id]).catch(() => {})
    await fs.rm(project, {recursive: true, force: true})
  }
  await server?.close()
  if (home) await fs.rm(home, {recursive: true, force: true})
})

/** Colours on (no NO_COLOR), as on a person's terminal. */
function env(): Record<string, string | undefined> {
  return {...cliEnv(home, server.url), TERM: 'xterm-256color', NO_COLOR: undefined}
}

/** The user messages the model received, in order. */
function userMessages(): string[] {
  return server
    .chatRequests()
    .map((request) => request.body?.messages.filter((m) => m.role === 'user').at(-1)?.content)
    .filter((content): content is string => typeof content === 'string')
}

const idle = (screen: string) => /^> Type a message/m.test(screen)
const promptRow = (screen: string) => screen.split('\n').findLast((row) => row.startsWith('> ')) ?? ''

describe('interactive session: typing ahead, bracketed paste, markdown', () => {
  it('queues a message typed during a turn, lets Up edit it, sends it after; pastes whole; renders markdown', async () => {
    server.setScript([
      {toolCalls: [{id: 'c_wait', name: 'run_shell_command', arguments: {command: 'sleep 6', is_background: false}}]},
      {text: 'Waited.'},
      {text: MARKDOWN, chunkSize: 9, chunkDelayMs: 15},
      {text: 'Got all of it.'},
    ])
    const term = await TmuxTerminal.start({
      command: `${process.execPath} ${CLI} chat --yolo; echo "EXITED:$?"`,
      cwd: project,
      env: env(),
    })
    await using _ = term
    await term.waitFor(/sandbox [0-9a-f]{8} ready/, {timeoutMs: 60_000, what: 'the sandbox to start'})
    await term.waitFor(idle)

    // Typing ahead: while the command runs, a message is queued and shown above the prompt.
    await term.type('wait a bit')
    await term.keys('Enter')
    await term.waitFor(/Running sleep 6/, {what: 'the command to run'})
    await term.type('secnd message')
    await term.keys('Enter')
    let screen = await term.waitFor(/⏎ queued: secnd message/, {what: 'the queued message'})
    expect(promptRow(screen)).toContain('↑ edits the queued message')
    // Up takes it back into the prompt to be edited; Enter queues it again.
    await term.keys('Up')
    screen = await term.waitFor((s) => promptRow(s) === '> secnd message', {what: 'the message back in the prompt'})
    expect(screen).not.toContain('queued:')
    await term.keys('Home', 'Right', 'Right', 'Right')
    await term.type('o')
    await term.keys('Enter')
    await term.waitFor(/⏎ queued: second message/, {what: 'the edited message queued'})
    expect(userMessages()).not.toContain('second message')
    // When the turn ends, the queued message is sent by itself, and its answer is rendered markdown.
    screen = await term.waitFor(/│ alpha/, {scrollback: true, timeoutMs: 60_000, what: 'the rendered table'})
    expect(userMessages()).toContain('second message')
    expect(screen).toContain('> second message')
    const answer = screen.slice(screen.lastIndexOf('> second message'))
    expect(answer).toContain('Here is Bold words and slanted text.')
    expect(answer).toContain('const answer = 42')
    expect(answer).toMatch(/┌─+┬─+┐/)
    expect(answer).toMatch(/│ name +│ value +│/)
    expect(answer).not.toMatch(/\*\*|```|\|-----/)
    // Bold is drawn bold (SGR 1), not with asterisks.
    expect((await term.screen({escapes: true})).join('\n')).toContain('\u001B[1mBold words')

    // A large paste: one label in the prompt, the whole text to the model.
    await term.waitFor(idle)
    await term.type('look at this: ')
    await term.paste(PASTED)
    await term.waitFor((s) => promptRow(s) === '> look at this: [pasted 30 lines]', {what: 'the paste label'})
    await term.keys('Enter')
    await term.waitFor(/Got all of it\./, {what: 'the answer to the paste'})
    expect(userMessages().at(-1)).toBe(`look at this: ${PASTED}`)
    expect(await term.everything()).toContain('> look at this: [pasted 30 lines]')
    expect(await term.everything()).not.toContain('pasted line 2\n')

    await term.waitFor(idle)
    await term.keys('C-d')
    await term.waitFor(/EXITED:0/, {timeoutMs: 60_000, what: 'the session to end'})
  })

  it('agent run renders markdown on a terminal and prints the text as it came when piped', async () => {
    server.setScript([{text: MARKDOWN}])
    const piped = await exec(process.execPath, [CLI, 'run', '--yolo', 'explain'], {
      cwd: project,
      env: {...env(), NO_COLOR: undefined} as NodeJS.ProcessEnv,
    })
    expect(piped.stdout).toBe(MARKDOWN)

    server.setScript([{text: MARKDOWN}])
    const term = await TmuxTerminal.start({
      command: `${process.execPath} ${CLI} run --yolo explain; echo "EXITED:$?"`,
      cwd: project,
      env: env(),
    })
    await using _ = term
    const screen = await term.waitFor(/EXITED:0/, {timeoutMs: 60_000, what: 'the run to end'})
    expect(screen).toContain('Here is Bold words and slanted text.')
    expect(screen).toMatch(/│ alpha +│ 1 +│/)
    expect(screen).not.toMatch(/\*\*|```/)
  })
})
