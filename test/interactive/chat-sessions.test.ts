// Interactive mode keeps its conversations like `agent run` does: the built CLI in tmux (80x24), the scripted model
// and real sandboxes. /memory add writes ~/.qwen/QWEN.md and the next request's system prompt has it; /memory show
// lists the files; /compress replaces older turns with a summary the next request carries; a second session lists the
// first with /resume and continues it: its request holds the earlier history, and the note that the sandbox is new.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startScriptedModel, type ScriptStep, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import type {ChatRequestBody} from '../fixtures/scripted-model/script.js'
import {CLI, cliEnv} from '../e2e/helpers/run-cli.js'
import {TmuxTerminal} from './helpers/tmux.js'

let server: ScriptedModelServer
let home: string
let project: string

beforeAll(async () => {
  await fs.access(path.join(path.dirname(CLI), '..', 'dist', 'commands', 'chat.js'))
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sa-chat-sessions-home-'))
  project = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sa-chat-sessions-project-')))
  await fs.writeFile(path.join(project, 'README.md'), '# chat sessions\n')
})
afterAll(async () => {
  await server?.close()
  await fs.rm(home, {recursive: true, force: true})
  await fs.rm(project, {recursive: true, force: true})
})

const SUMMARIZER = /^You condense the history/
const isSummary = (body: ChatRequestBody) => SUMMARIZER.test(String(body.messages[0]?.content ?? ''))
const idle = (screen: string) => /^> Type a message/m.test(screen)

/** Answers in order; a summary request gets the summary. */
function script(work: ScriptStep[]): ((body: ChatRequestBody) => ScriptStep)[] {
  let next = 0
  const answer = (body: ChatRequestBody): ScriptStep =>
    isSummary(body) ? {text: '<state_snapshot>CHAT-SUMMARY</state_snapshot>'} : (work[next++] ?? {text: 'over'})
  return Array.from({length: work.length + 5}, () => answer)
}

/** The request whose last user message is `text`. */
function requestFor(text: string): ChatRequestBody {
  const found = server
    .chatRequests()
    .map((request) => request.body as ChatRequestBody)
    .find((body) => body.messages.filter((m) => m.role === 'user').at(-1)?.content === text)
  if (!found) throw new Error(`no request carried "${text}"`)
  return found
}

async function startChat(): Promise<TmuxTerminal> {
  const term = await TmuxTerminal.start({
    command: `${process.execPath} ${CLI} chat --yolo; echo "EXITED:$?"`,
    cwd: project,
    env: cliEnv(home, server.url),
  })
  await term.waitFor(/sandbox [0-9a-f]{8} ready/, {timeoutMs: 60_000, what: 'the sandbox to start'})
  await term.waitFor(idle)
  return term
}

describe('interactive sessions: saved, /memory, /compress, /resume', () => {
  it('saves the chat, remembers, compresses on demand, and a later chat resumes it', async () => {
    server.setScript(
      script([
        // Long enough that a summary of it is shorter.
        {text: `First answer, nothing to change. ${'Some detail about the project. '.repeat(100)}`},
        {text: 'Second answer.'},
        {text: 'Third answer after compression.'},
      ]),
    )
    {
      await using term = await startChat()
      const send = async (text: string) => {
        await term.type(text)
        await term.keys('Enter')
      }
      await send('first question about the project')
      await term.waitFor(/First answer/, {scrollback: true})
      await term.waitFor(idle)

      await send('/memory add The user prefers tabs')
      await term.waitFor(/Remembered in .*QWEN\.md/, {what: 'the memory line'})
      expect(await fs.readFile(path.join(home, '.qwen', 'QWEN.md'), 'utf8')).toContain('- The user prefers tabs')
      await send('/memory show')
      await term.waitFor(/Context files \(1, \d+ characters\):/, {what: 'the memory listing'})

      await send('second question')
      await term.waitFor(/Second answer\./)
      await term.waitFor(idle)
      // The conversation's system prompt was read again: the new memory is in it.
      expect(String(requestFor('second question').messages[0]?.content)).toContain('The user prefers tabs')

      await send('/compress')
      await term.waitFor(/Context compressed: [\d,]+ → [\d,]+ tokens/, {what: 'the compression line'})
      await term.waitFor(idle)
      await send('third question')
      await term.waitFor(/Third answer after compression\./)
      const third = requestFor('third question')
      expect(third.messages[0]?.role).toBe('system')
      expect(String(third.messages[1]?.content)).toContain('<state_snapshot>CHAT-SUMMARY</state_snapshot>')
      expect(third.messages.some((m) => m.content === 'first question about the project')).toBe(false)

      await term.waitFor(idle)
      await term.keys('C-d')
      await term.waitFor(/EXITED:0/, {scrollback: true, what: 'the session to end'})
    }

    // The conversation was saved as it went, as a chat, with the compression.
    const dir = path.join(home, '.local', 'share', 'sandbox-agent', 'conversations')
    const files = await fs.readdir(dir)
    expect(files).toHaveLength(1)
    const lines = (await fs.readFile(path.join(dir, String(files[0])), 'utf8')).trim().split('\n')
    const header = JSON.parse(String(lines[0])) as {command: string; title: string; id: string}
    expect(header).toMatchObject({command: 'chat', title: 'first question about the project'})
    expect(lines.some((line) => line.includes('"type":"history"'))).toBe(true)

    server.setScript(script([{text: 'Resumed answer.'}]))
    {
      await using term = await startChat()
      const send = async (text: string) => {
        await term.type(text)
        await term.keys('Enter')
      }
      await send('/resume')
      await term.waitFor(new RegExp(`${header.id.slice(0, 8)}  first question about the project`), {what: 'the list'})
      await term.waitFor(idle)
      await send(`/resume ${header.id.slice(0, 8)}`)
      await term.waitFor(/Resumed "first question about the project" \(\d+ messages\)/, {what: 'the resume line'})
      await term.waitFor(idle)
      await send('fourth question')
      await term.waitFor(/Resumed answer\./)
      const fourth = requestFor('fourth question')
      // The earlier history (compressed as it was saved), the note about the new sandbox, then the new message.
      expect(String(fourth.messages[1]?.content)).toContain('CHAT-SUMMARY')
      expect(fourth.messages.some((m) => m.content === 'third question')).toBe(true)
      expect(String(fourth.messages.at(-2)?.content)).toMatch(/^Note: this conversation is resumed in a fresh sandbox/)
      await term.waitFor(idle)
      await term.keys('C-d')
      await term.waitFor(/EXITED:0/, {scrollback: true, what: 'the session to end'})
    }
    // Continued in the same file, not a new one.
    expect(await fs.readdir(dir)).toHaveLength(1)
  })
})
