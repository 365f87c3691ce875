// Interactive mode end to end, part two: the slash commands (/help, /tools, /approval-mode, /model, /stats, /auth,
// /discard, /clear), tools.shell.showColor and tools.shell.pager, Ctrl-D quitting (with and without changes, and
// "apply"), and control characters in command output. The built CLI runs in tmux at 80x24 against the scripted model
// and real sandbox containers.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startScriptedModel, type RecordedRequest, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {assertBuilt, CLI, cliEnv} from '../e2e/helpers/run-cli.js'
import {TmuxTerminal} from './helpers/tmux.js'

const exec = promisify(execFile)

const ESC = '\u001B'
const SESSION_LABEL = 'dev.sandbox-agent.session-id'
const WORKSPACE_LABEL = 'dev.sandbox-agent.workspace'

const shell = (id: string, command: string) => ({
  id,
  name: 'run_shell_command',
  arguments: {command, is_background: false},
})

/** Prints red text (SGR 31), the PAGER the command sees, and a line through that pager. */
const COLOR_AND_PAGER = `printf '\\033[31mred words\\033[0m\\n'; echo "PAGER=$PAGER"; echo 'paged text' | $PAGER`
/** A command with escape sequences that would erase what came before it on the line and show only `ls`. */
const HIDING = `echo ok${ESC}[2K${ESC}[1Gls`

let server: ScriptedModelServer
let home: string
const projects: string[] = []

beforeAll(async () => {
  assertBuilt('chat')
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-slash-home-'))
})

afterAll(async () => {
  // A failed run may leave its sandbox behind: remove whatever this file's projects still have.
  for (const project of projects) {
    for (const {id} of await sandboxesOf(project)) await exec('docker', ['rm', '-f', id]).catch(() => undefined)
    for (const volume of await volumesOf(project)) await exec('docker', ['volume', 'rm', '-f', volume]).catch(() => {})
    await fs.rm(project, {recursive: true, force: true})
  }
  await server?.close()
  if (home) await fs.rm(home, {recursive: true, force: true})
})

async function makeProject(settings: unknown): Promise<string> {
  const project = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-slash-project-')))
  projects.push(project)
  await fs.writeFile(path.join(project, 'README.md'), '# demo\n')
  await fs.mkdir(path.join(project, '.qwen'))
  await fs.writeFile(path.join(project, '.qwen', 'settings.json'), JSON.stringify(settings))
  return project
}

/** The containers (any state) of a project's sandboxes, with their session ids. */
async function sandboxesOf(project: string): Promise<{id: string; session: string}[]> {
  const {stdout} = await exec('docker', [
    'ps',
    '-a',
    '--filter',
    `label=${WORKSPACE_LABEL}=${project}`,
    '--format',
    `{{.ID}} {{.Label "${SESSION_LABEL}"}}`,
  ])
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, session] = line.split(' ')
      return {id: id as string, session: session ?? ''}
    })
}

/** The workspace volumes of a project's sandboxes. */
async function volumesOf(project: string): Promise<string[]> {
  const {stdout} = await exec('docker', ['volume', 'ls', '-q', '--filter', `label=${WORKSPACE_LABEL}=${project}`])
  return stdout.split('\n').filter(Boolean)
}

/** Every file under a directory with its content, to compare the host project before and after. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await fs.readdir(dir, {recursive: true, withFileTypes: true})) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    out[path.relative(dir, file)] = await fs.readFile(file, 'utf8')
  }
  return out
}

/** Colours on (no NO_COLOR), so the screen can show what showColor keeps. */
function env(): Record<string, string | undefined> {
  return {...cliEnv(home, server.url), TERM: 'xterm-256color', NO_COLOR: undefined}
}

/** What the model was told in reply to a tool call. */
function toolResult(id: string): string {
  for (const request of [...server.chatRequests()].reverse()) {
    const message = request.body?.messages.find((m) => m.role === 'tool' && m.tool_call_id === id)
    if (message) return String(message.content)
  }
  return ''
}

/** The first request whose last user message is `text`. */
function requestFor(text: string): RecordedRequest {
  const found = server
    .chatRequests()
    .find((request) => request.body?.messages.filter((m) => m.role === 'user').at(-1)?.content === text)
  if (!found) throw new Error(`no request carried the message "${text}"`)
  return found
}

/** The text after the last occurrence of `marker` (what a command printed). */
function after(text: string, marker: string): string {
  const at = text.lastIndexOf(marker)
  return at === -1 ? '' : text.slice(at + marker.length)
}

const idle = (screen: string) => /^> Type a message/m.test(screen)

/** `agent chat` (plus args) in tmux on the project, once its sandbox is up; the screen is idle at the prompt then. */
async function startChat(project: string, args = ''): Promise<{term: TmuxTerminal; screen: string}> {
  const term = await TmuxTerminal.start({
    command: `${process.execPath} ${CLI} chat${args ? ` ${args}` : ''}; echo "EXITED:$?"`,
    cwd: project,
    env: env(),
  })
  await term.waitFor(/sandbox [0-9a-f]{8} ready/, {timeoutMs: 60_000, what: 'the sandbox to start'})
  return {term, screen: await term.waitFor(idle)}
}
const statusLine = (screen: string) =>
  screen
    .split('\n')
    .filter((row) => row.trim() !== '')
    .at(-1) ?? ''

describe('interactive session: slash commands, shell colours and pager, Ctrl-D', () => {
  it('runs /help /tools /approval-mode /model /stats /auth /discard /clear, then Ctrl-D discards', async () => {
    const project = await makeProject({
      tools: {
        exclude: ['write_file'],
        shell: {enableInteractiveShell: true, showColor: true, pager: 'tr a-z A-Z'},
      },
    })
    const before = await snapshot(project)
    server.setScript([
      {toolCalls: [shell('c_make', 'echo made > made.txt')]},
      {text: 'Made it.'},
      {toolCalls: [shell('c_color', COLOR_AND_PAGER)]},
      {text: 'Shown.'},
      {toolCalls: [shell('c_cat', 'cat made.txt')]},
      {text: 'It is gone.'},
      {toolCalls: [shell('c_again', 'echo again > again.txt')]},
      {text: 'Again.'},
    ])
    const requestsBefore = server.chatRequests().length
    const started = await startChat(project)
    await using term = started.term
    const send = async (text: string) => {
      await term.type(text)
      await term.keys('Enter')
    }
    let screen = started.screen
    expect(statusLine(screen)).toMatch(/^scripted-model · sandbox [0-9a-f]{8} ready · 0 tokens · default/)

    // /help: every command with its usage, and the keys.
    await send('/help')
    await term.waitFor(/Start a message with \/\/ to send a line/, {what: 'the help'})
    const help = after(await term.everything(), '> /help')
    for (const line of [
      /\/help\s+Show the commands and keys/,
      /\/auth \[provider\]\s+Choose how to authenticate/,
      /\/model \[name\]\s+Show the model, or switch/,
      /\/tools\s+List the tools/,
      /\/approval-mode \[mode\]\s+default, auto-edit or yolo/,
      /\/diff\s+Show the changes/,
      /\/apply\s+Apply the changes/,
      /\/discard\s+Throw the changes away/,
      /\/clear\s+Clear the screen/,
      /\/stats\s+Turns, tokens/,
      /\/quit\s+End the session/,
      /Ctrl-D\s+quit \(on an empty prompt\)/,
      /Shift\+Tab\s+switch the approval mode/,
    ])
      expect(help).toMatch(line)

    // /tools: where each tool comes from and which are on (tools.exclude turned write_file off).
    await term.waitFor(idle)
    await send('/tools')
    screen = await term.waitFor(/search_file_content/, {what: 'the tool list'})
    const tools = after(screen, '> /tools')
    expect(tools).toContain('Tools (settings tools.core / tools.exclude choose which are on):')
    expect(tools).toMatch(/^ {2}on {2}run_shell_command execute$/m)
    expect(tools).toMatch(/^ {2}on {2}read_file read · @sandboxed-agent\/tools-fs$/m)
    expect(tools).toMatch(/^ {2}off write_file edit · @sandboxed-agent\/tools-fs$/m)

    // /approval-mode: by name, a wrong name, and the chooser.
    await send('/approval-mode auto-edit')
    await term.waitFor((s) => / auto-edit \(shift\+tab\)$/.test(statusLine(s)), {what: 'auto-edit in the status'})
    await send('/approval-mode bogus')
    screen = await term.waitFor(/Unknown approval mode "bogus"/)
    expect(screen).toMatch(/Use one of: default, auto-edit, yolo/)
    expect(statusLine(screen)).toMatch(/ auto-edit \(shift\+tab\)$/)
    await send('/approval-mode')
    screen = await term.waitFor(/Approval mode \(now auto-edit\):/)
    expect(screen).toMatch(/3\. yolo: never ask/)
    await term.keys('y')
    await term.waitFor((s) => / yolo \(shift\+tab\)$/.test(statusLine(s)) && idle(s), {what: 'yolo in the status'})

    // In yolo mode the command runs without a question.
    await send('make a file')
    screen = await term.waitFor(/Made it\./)
    expect(screen).not.toContain('Run this command')
    await term.waitFor((s) => idle(s) && / 1 changed · /.test(statusLine(s)), {what: 'the change in the status'})
    const first = requestFor('make a file')
    expect(first.body?.model).toBe('scripted-model')
    const offered = (first.body?.tools ?? []).map((tool) => tool.function.name)
    expect(offered).toContain('run_shell_command')
    expect(offered).toContain('read_file')
    expect(offered).not.toContain('write_file')

    // /model: switch from the next message on, and show it.
    await send('/model other-model')
    await term.waitFor(/Model: other-model from the next message on\./)
    await term.waitFor((s) => statusLine(s).startsWith('other-model · sandbox'), {what: 'the new model in the status'})
    await send('/model')
    await term.waitFor(/Model: other-model \(via openai-compatible\)\. \/model <name> switches\./)

    // showColor keeps the command's colours on screen (the model gets plain text); pager is its PAGER.
    await send('colours and pager')
    await term.waitFor(/Shown\./)
    screen = (await term.screen({escapes: true})).join('\n')
    // tmux writes each attribute change as its own sequence: red (31) among them, right before the words.
    expect(screen).toMatch(new RegExp(`│ (?:${ESC}\\[[\\d;]*m)*${ESC}\\[31m(?:${ESC}\\[[\\d;]*m)*red words`))
    expect(screen).toMatch(/│ .*PAGER=tr a-z A-Z/)
    expect(screen).toMatch(/│ .*PAGED TEXT/)
    const colored = toolResult('c_color')
    expect(colored).toContain('red words')
    expect(colored).not.toContain(ESC)
    expect(colored).toContain('PAGER=tr a-z A-Z')
    expect(colored).toContain('PAGED TEXT')
    const switched = server.chatRequests().filter((r) => r.step === 2 || r.step === 3)
    expect(switched.map((r) => r.body?.model)).toEqual(['other-model', 'other-model'])

    // /stats: what happened so far.
    await term.waitFor(idle)
    await send('/stats')
    screen = await term.waitFor(/Time {8}\d+\.\d min/, {what: 'the stats'})
    const [sandbox] = await sandboxesOf(project)
    const stats = after(screen, '> /stats')
    expect(stats).toContain('Model       other-model via openai-compatible')
    expect(stats).toContain(`Sandbox     ${sandbox?.session} (ready)`)
    expect(stats).toContain('Messages    2 · model turns 4')
    expect(stats).toMatch(/Tokens {6}[1-9][\d,]* in \/ [1-9][\d,]* out/)
    expect(stats).toContain('Tool calls  2 (0 failed or refused)')
    expect(stats).toContain('Changes     1 file in the sandbox')
    expect(stats).toContain('Approval    yolo')

    // /auth: the providers, with the one in use and the one not set up; choosing the configured one keeps working.
    await send('/auth')
    screen = await term.waitFor(/Authentication method:/)
    expect(screen).toMatch(/1\. openai-compatible \(in use\)/)
    expect(screen).toMatch(/2\. qwen-oauth \(not set up\)/)
    await term.keys('1')
    await term.waitFor(/Using openai-compatible · model other-model/)
    await send('/auth nope')
    // The note is wider than the terminal: read it with the wrapped rows joined.
    const unknown = 'Unknown authentication method "nope". Choose one of: openai-compatible, qwen-oauth'
    await term.waitFor((s) => s.replaceAll('\n', '').includes(unknown), {what: 'the unknown-method note'})

    // /discard: after a question, a fresh sandbox (a new container, the old one gone); the model is told.
    await term.waitFor(idle)
    await send('/discard')
    await term.waitFor(/Discard 1 changed file\? The sandbox starts again from the project\./)
    await term.keys('y')
    await term.waitFor(/Discarded\. The sandbox is a fresh copy of the project\./, {what: 'the discard'})
    screen = await term.waitFor((s) => idle(s) && / ready · /.test(statusLine(s)))
    expect(statusLine(screen)).not.toContain('changed')
    const fresh = await sandboxesOf(project)
    expect(fresh).toHaveLength(1)
    expect(fresh[0]?.session).not.toBe(sandbox?.session)
    expect(await volumesOf(project)).toHaveLength(1)
    expect(statusLine(screen)).toContain(`sandbox ${fresh[0]?.session.slice(0, 8)} ready`)
    await send('is the file there?')
    await term.waitFor(/It is gone\./)
    const told = requestFor('is the file there?').body?.messages ?? []
    expect(String(told.at(-2)?.content)).toMatch(/I discarded all changes in the sandbox/)
    expect(told.at(-2)?.role).toBe('user')
    expect(toolResult('c_cat')).toMatch(/No such file/)

    // /clear: an empty screen and a new conversation (the model sees only the new message).
    await term.waitFor(idle)
    await send('/clear')
    screen = await term.waitFor(/New conversation\. The sandbox keeps its files/)
    expect(screen).not.toContain('is the file there?')
    expect(screen).not.toContain('It is gone.')
    await send('fresh start')
    await term.waitFor(/Again\./)
    const cleared = requestFor('fresh start').body?.messages ?? []
    expect(cleared.map((m) => m.role)).toEqual(['system', 'user'])

    // Ctrl-D on the empty prompt quits; with a change it asks, and "discard" removes the sandbox, the host untouched.
    await term.waitFor((s) => idle(s) && / 1 changed · /.test(statusLine(s)))
    await term.keys('C-d')
    screen = await term.waitFor(/what about the changes\?/, {what: 'the quit question'})
    expect(screen).toMatch(/1 file changed in the sandbox:\n\s+A again\.txt/)
    await term.keys('d')
    const all = await term.waitFor(/EXITED:0/, {scrollback: true, what: 'the session to end'})
    expect(all).toContain('Discarded the changes.')
    expect(await sandboxesOf(project)).toEqual([])
    expect(await volumesOf(project)).toEqual([])
    expect(await snapshot(project)).toEqual(before)
    expect(server.chatRequests().length - requestsBefore).toBe(8)
  })

  it('without showColor strips colours, PAGER is cat, escapes in a command show; Ctrl-D without changes quits', async () => {
    const project = await makeProject({tools: {shell: {enableInteractiveShell: true}}})
    const before = await snapshot(project)
    server.setScript([
      {toolCalls: [shell('c_hide', HIDING)]},
      {toolCalls: [shell('c_plain', COLOR_AND_PAGER)]},
      {text: 'Plain.'},
    ])
    await using term = (await startChat(project)).term
    await term.type('plain output')
    await term.keys('Enter')

    // The approval question shows the command the model sent, escape sequences as text, not acting on the screen.
    let screen = await term.waitFor(/Run this command in the sandbox\?/, {what: 'the first question'})
    expect(screen).toContain('● Shell echo ok\\e[2K\\e[1Gls')
    await term.keys('y')
    await term.waitFor(/│ ok.*ls/, {what: 'the first command to run'})
    await term.waitFor(/Run this command in the sandbox\?/, {what: 'the second question'})
    await term.keys('y')
    await term.waitFor(/Plain\./)
    screen = (await term.screen({escapes: true})).join('\n')
    const redLine = screen.split('\n').find((row) => /│ .*red words/.test(row)) ?? ''
    expect(redLine).not.toBe('')
    expect(redLine).not.toMatch(new RegExp(`${ESC}\\[(\\d+;)*31m`))
    expect(screen).toMatch(/PAGER=cat/)
    expect(screen).toMatch(/│ .*paged text/)
    expect(toolResult('c_plain')).toContain('PAGER=cat')

    // Ctrl-D with text on the prompt deletes the character under the cursor; it quits only on an empty prompt.
    await term.waitFor(idle)
    expect(await sandboxesOf(project)).toHaveLength(1)
    await term.type('xy')
    await term.keys('Left')
    await term.keys('C-d')
    await term.waitFor((s) => /^> x$/m.test(s), {what: 'the deleted character'})
    await term.keys('C-u')
    await term.waitFor(idle)
    await term.keys('C-d')
    const all = await term.waitFor(/EXITED:0/, {scrollback: true, what: 'the session to end'})
    expect(all).not.toMatch(/what about the changes\?/)
    expect(await sandboxesOf(project)).toEqual([])
    expect(await volumesOf(project)).toEqual([])
    expect(await snapshot(project)).toEqual(before)
  })

  it('shows control characters in output as text; Ctrl-D, then "apply" writes the changes and removes the sandbox', async () => {
    const project = await makeProject({})
    server.setScript([
      {
        toolCalls: [
          shell(
            'c_edit',
            "printf '# changed\\n' > README.md && echo new > new.txt && printf 'bell\\007 tab\\tend\\n10%%\\r100%%\\n' && printf 'abc\\b\\bX\\n'",
          ),
        ],
      },
      {text: 'Changed.'},
    ])
    await using term = (await startChat(project, '--yolo')).term
    await term.type('change the readme')
    await term.keys('Enter')

    // Pipe mode (no interactive shell): the bell is dropped, the tab is spaces, \r and backspaces are applied.
    let screen = await term.waitFor((s) => idle(s) && / 2 changed · /.test(statusLine(s)), {what: 'the change'})
    expect(screen).toContain('Changed.')
    expect(screen).toMatch(/^ {2}│ bell tab {8}end$/m)
    expect(screen).toMatch(/^ {2}│ 100%$/m)
    expect(screen).toMatch(/^ {2}│ aX$/m)
    expect(toolResult('c_edit')).toContain('bell')

    await term.keys('C-d')
    screen = await term.waitFor(/what about the changes\?/, {what: 'the quit question'})
    expect(screen).toMatch(/2 files changed in the sandbox:/)
    await term.keys('a')
    const all = await term.waitFor(/EXITED:0/, {scrollback: true, what: 'the session to end'})
    expect(all).toContain('Applied 2 changes.')
    expect(await fs.readFile(path.join(project, 'README.md'), 'utf8')).toBe('# changed\n')
    expect(await fs.readFile(path.join(project, 'new.txt'), 'utf8')).toBe('new\n')
    expect(await sandboxesOf(project)).toEqual([])
    expect(await volumesOf(project)).toEqual([])
  })
})
