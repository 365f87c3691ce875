// Interactive mode end to end: the built CLI in a real pseudo-terminal (tmux, 80x24), the scripted model, a real
// sandbox container. One conversation: approval, denial with a reason, Ctrl-C during a command, /diff and /apply, an
// interactive program on a TTY (python3 REPL via Ctrl+F), Shift+Tab, resize, and quitting with the changes kept.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startScriptedModel, type ScriptStep, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {assertBuilt, CLI, cliEnv} from '../e2e/helpers/run-cli.js'
import {TmuxTerminal} from './helpers/tmux.js'

const exec = promisify(execFile)

const shell = (id: string, command: string, description?: string) => ({
  id,
  name: 'run_shell_command',
  arguments: {command, is_background: false, ...(description ? {description} : {})},
})

/** One step per model request, in the order the conversation below makes them. */
const SCRIPT: ScriptStep[] = [
  // 1: approved once
  {
    text: 'I will create the file.\nOne moment.',
    toolCalls: [shell('c_create', 'echo hello > greeting.txt && tty', 'Create greeting.txt')],
    chunkDelayMs: 20,
  },
  {text: 'Created greeting.txt.'},
  // 2: denied with a reason
  {toolCalls: [shell('c_rm', 'rm -rf /workspace/*', 'Clean up')]},
  {text: 'Understood, I left everything as it is.'},
  // 3: allowed always, then cancelled with Ctrl-C while it runs
  {toolCalls: [shell('c_sleep', 'sleep 300', 'Wait')]},
  // 4: an interactive program on the TTY
  {toolCalls: [shell('c_py', 'python3 -q', 'Start Python')]},
  {text: 'Python printed 42.'},
  // 5: in yolo mode (no question), a change left for the quit dialog
  {toolCalls: [shell('c_bye', 'echo bye > bye.txt')]},
  {text: 'Wrote bye.txt.'},
]

let server: ScriptedModelServer
let home: string
let project: string
let keptSession: string | undefined

beforeAll(async () => {
  assertBuilt('chat')
  server = await startScriptedModel({steps: SCRIPT, apiKey: 'sk-e2e-test'})
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-chat-home-'))
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-chat-project-'))
  await fs.writeFile(path.join(project, 'README.md'), '# demo\n')
  await fs.mkdir(path.join(project, '.qwen'))
  await fs.writeFile(
    path.join(project, '.qwen', 'settings.json'),
    JSON.stringify({tools: {shell: {enableInteractiveShell: true}}}),
  )
})

afterAll(async () => {
  if (keptSession) await exec(process.execPath, [CLI, 'discard', keptSession], {env: env()}).catch(() => undefined)
  // A failed run leaves its sandbox kept (the terminal went away): remove whatever this test's project still has.
  if (project) await removeSandboxesOf(await fs.realpath(project).catch(() => project))
  await server?.close()
  for (const dir of [home, project]) if (dir) await fs.rm(dir, {recursive: true, force: true})
})

async function removeSandboxesOf(workspace: string): Promise<void> {
  const {stdout} = await exec('docker', [
    'ps',
    '-aq',
    '--filter',
    `label=dev.sandbox-agent.workspace=${workspace}`,
    '--format',
    '{{.ID}} {{.Label "dev.sandbox-agent.volume"}}',
  ]).catch(() => ({stdout: ''}))
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [id, volume] = line.split(' ')
    await exec('docker', ['rm', '-f', id as string]).catch(() => undefined)
    if (volume) await exec('docker', ['volume', 'rm', '-f', volume]).catch(() => undefined)
  }
}

function env(): Record<string, string | undefined> {
  return {...cliEnv(home, server.url), TERM: 'xterm-256color'}
}

/** What the model was told in reply to a tool call (from the last request that carried it). */
function toolResult(id: string): string {
  for (const request of [...server.chatRequests()].reverse()) {
    const message = request.body?.messages.find((m) => m.role === 'tool' && m.tool_call_id === id)
    if (message) return String(message.content)
  }
  return ''
}

/** The editor row: the line above the status line at the bottom of the screen. */
function promptRow(screen: string): string {
  const rows = screen.split('\n').filter((row) => row.trim() !== '')
  return rows.at(-2) ?? ''
}

const idle = (screen: string) => /^> Type a message/m.test(screen)

describe('agent (no arguments) on a terminal: the interactive session', () => {
  it('holds a conversation with approvals, a denial, Ctrl-C, /diff, /apply, a TTY program, and a kept sandbox', async () => {
    await using term = await TmuxTerminal.start({
      command: `${process.execPath} ${CLI}; echo "EXITED:$?"`,
      cwd: project,
      env: env(),
    })
    await term.waitFor(/sandbox [0-9a-f]{8} ready/, {timeoutMs: 60_000, what: 'the sandbox to start'})
    expect(await term.waitFor(idle)).toContain('scripted-model')

    // 1: streamed text, the tool call with its description, approval (once), live output from a real TTY.
    await term.type('create a greeting file')
    await term.keys('Enter')
    let screen = await term.waitFor(/Run this command in the sandbox\?/, {what: 'the approval question'})
    expect(screen).toContain('● Shell echo hello > greeting.txt && tty')
    expect(screen).toContain('Create greeting.txt')
    expect(screen).toContain('✦ I will create the file.')
    // A redirection into the working directory does not stop "always" (one outside it would).
    expect(screen).toContain("Yes, and don't ask again for echo, tty")
    await term.keys('y')
    screen = await term.waitFor(/Created greeting\.txt\./)
    expect(screen).toContain('✓ allowed once')
    expect(screen).toMatch(/│ \/dev\/pts\/\d+/)
    expect(screen).toMatch(/✓ exit code 0/)
    screen = await term.waitFor(idle)
    // At 80 columns the status line leaves out the sandbox id rather than cut the approval mode off.
    expect(screen).toMatch(/· sandbox (?:[0-9a-f]{8} )?ready · 1 changed · [\d.]+k? tokens · default/)
    expect(screen).not.toMatch(/…$/m)

    // History: Up recalls the last message; Ctrl-C clears the prompt.
    await term.keys('Up')
    await term.waitFor((s) => promptRow(s) === '> create a greeting file', {what: 'the recalled message'})
    await term.keys('C-c')
    await term.waitFor((s) => promptRow(s).startsWith('> Type a message'), {what: 'an empty prompt'})

    // Resize: the live lines are redrawn at the new width, nothing wider than the window.
    await term.resize(60, 20)
    screen = await term.waitFor((s) => /^scripted-model · sandbox/m.test(s) && s.split('\n').length === 20)
    for (const row of screen.split('\n')) expect(row.length).toBeLessThanOrEqual(60)
    await term.resize(80, 24)
    await term.waitFor((s) => s.split('\n').length === 24 && idle(s))

    // 2: denied with a reason, which the model reads.
    await term.type('clean up the workspace')
    await term.keys('Enter')
    await term.waitFor(/Run this command in the sandbox\?/)
    await term.keys('n')
    await term.waitFor(/Why not\? The agent reads this/)
    await term.type('too dangerous')
    await term.keys('Enter')
    screen = await term.waitFor(/Understood, I left everything as it is\./)
    expect(screen).toContain('✗ denied: too dangerous')
    expect(screen).toMatch(/✗ The user denied this tool call\. Reason: too dangerous \(denied by user/)
    expect(toolResult('c_rm')).toBe('The user denied this tool call. Reason: too dangerous')

    // 3: "always" for sleep, then Ctrl-C while it runs: back at the prompt, the conversation goes on.
    await term.waitFor(idle)
    await term.type('wait a while')
    await term.keys('Enter')
    await term.waitFor(/Run this command in the sandbox\?/)
    await term.keys('a')
    await term.waitFor(/Running sleep 300 · \d+s/, {what: 'the running command'})
    await term.keys('C-c')
    screen = await term.waitFor((s) => /Cancelled\./.test(s) && idle(s), {what: 'the cancel'})
    expect(screen).toMatch(/✗ .*cancel.*\(canceled, /i)
    // The next turn's request carries the cancelled result: the conversation stayed consistent.

    // /diff and /apply (after a typo with a suggestion).
    await term.type('/dif')
    await term.keys('Enter')
    await term.waitFor(/Unknown command \/dif\. Did you mean \/diff\?/)
    await term.type('/diff')
    await term.keys('Enter')
    screen = await term.waitFor(/\+\+\+ b\/greeting\.txt[\s\S]*\+hello/)
    expect(screen).toMatch(/^A greeting\.txt/m)
    await expect(fs.access(path.join(project, 'greeting.txt'))).rejects.toThrow()
    await term.type('/apply')
    await term.keys('Enter')
    await term.waitFor(/Applied 1 change\./)
    expect(await fs.readFile(path.join(project, 'greeting.txt'), 'utf8')).toBe('hello\n')

    // 4: an interactive program on the sandbox's TTY; Ctrl+F gives it the keyboard.
    await term.waitFor(idle)
    await term.type('try python')
    await term.keys('Enter')
    await term.waitFor(/Run this command in the sandbox\?/)
    await term.keys('y')
    await term.waitFor(/│ >>>[\s\S]*ctrl\+f to type into it/, {what: 'the Python prompt'})
    expect(toolResult('c_sleep')).toMatch(/cancel/i)
    await term.keys('C-f')
    await term.waitFor(/the keyboard goes to the command/)
    await term.type('print(6*7)')
    await term.keys('Enter')
    await term.waitFor(/^42$/m, {what: "Python's answer"})
    await term.type('exit()')
    await term.keys('Enter')
    screen = await term.waitFor(/Python printed 42\./)
    expect(screen).toMatch(/✓ exit code 0/)
    expect(toolResult('c_py')).toMatch(/42/)

    // 5: Shift+Tab twice: default -> auto-edit -> yolo; the next command runs without a question.
    await term.waitFor(idle)
    await term.keys('BTab')
    await term.waitFor(/Approval mode: auto-edit/)
    await term.keys('BTab')
    await term.waitFor(/· yolo \(shift\+tab\)/)
    await term.type('one more file')
    await term.keys('Enter')
    screen = await term.waitFor(/Wrote bye\.txt\./)
    expect(screen).not.toContain('Run this command')

    // Ctrl-C twice quits; with a change in the sandbox it asks, and "keep" leaves the sandbox for later.
    await term.waitFor(idle)
    await term.keys('C-c')
    await term.waitFor(/Press Ctrl-C again to quit/)
    await term.keys('C-c')
    screen = await term.waitFor(/what about the changes\?/, {what: 'the quit question'})
    expect(screen).toMatch(/1 file changed in the sandbox:\n\s+A bye\.txt/)
    await term.keys('k')
    const all = await term.waitFor(/EXITED:0/, {scrollback: true, what: 'the session to end'})
    keptSession = /agent apply ([0-9a-f]+)/.exec(all)?.[1]
    expect(keptSession).toBeDefined()
    await expect(fs.access(path.join(project, 'bye.txt'))).rejects.toThrow()
    const {stdout} = await exec(process.execPath, [CLI, 'diff', keptSession as string], {env: env()})
    expect(stdout).toContain('+bye')

    // The whole conversation is in the scrollback, and the history was saved for the next session.
    expect(all).toContain('> create a greeting file')
    expect(all).not.toMatch(/Run this command in the sandbox\?/)
    const history = await fs.readFile(path.join(home, '.local', 'share', 'sandbox-agent', 'chat-history.jsonl'), 'utf8')
    expect(history.split('\n')).toContain('"try python"')
    expect(server.stepsUsed).toBe(SCRIPT.length)
  })

  it('prints the help off a terminal, as before', async () => {
    const {stdout} = await exec(process.execPath, [CLI], {env: env()})
    expect(stdout).toContain('USAGE')
    expect(stdout).toMatch(/chat\s+Start an interactive session/)
  })
})
