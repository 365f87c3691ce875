// The built CLI, a real sandbox and the scripted model on long sessions: a task whose tool output adds up to several
// times a small configured context window completes because the history is compressed (the requests show the summary
// and stay inside the window); the plan survives compression; a looping model is stopped with loop_detected.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {streamJsonMessageSchema, type StreamJsonMessage} from '../../src/output/stream-json-schema.js'
import {startScriptedModel, type ScriptStep, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import type {ChatRequestBody} from '../fixtures/scripted-model/script.js'
import {CLI, cliEnv, runCli} from '../e2e/helpers/run-cli.js'

const WINDOW = 8192
const SUMMARIZER = /^You condense the history/

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
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sa-long-home-'))
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'sa-long-project-'))
  await fs.writeFile(path.join(project, 'README.md'), '# a project\n')
  return async () => {
    await fs.rm(home, {recursive: true, force: true})
    await fs.rm(project, {recursive: true, force: true})
  }
})

async function settings(value: unknown): Promise<void> {
  await fs.mkdir(path.join(home, '.qwen'), {recursive: true})
  await fs.writeFile(path.join(home, '.qwen', 'settings.json'), JSON.stringify(value))
}

const isSummaryRequest = (body: ChatRequestBody) => SUMMARIZER.test(String(body.messages[0]?.content ?? ''))
const shell = (id: string, command: string) => ({
  id,
  name: 'run_shell_command',
  arguments: {command, description: 'print numbers', is_background: false},
})
const plan = (id: string, status: 'pending' | 'in_progress' | 'completed') => ({
  id,
  name: 'todo_write',
  arguments: {
    todos: [
      {id: '1', content: 'Print the numbers', status},
      {id: '2', content: 'Report', status: status === 'completed' ? 'completed' : 'pending'},
    ],
  },
})

/** Work steps answered in order; a summary request (whenever the agent makes one) gets a numbered summary. */
function dispatcher(work: ScriptStep[]): ((body: ChatRequestBody) => ScriptStep)[] {
  let step = 0
  let summaries = 0
  const answer = (body: ChatRequestBody): ScriptStep => {
    if (isSummaryRequest(body)) {
      summaries += 1
      return {text: `<state_snapshot><overall_goal>print numbers</overall_goal> SUMMARY-${summaries}</state_snapshot>`}
    }
    return work[step++] ?? {text: 'script over'}
  }
  return Array.from({length: work.length * 3}, () => answer)
}

function parseStreamJson(stdout: string): StreamJsonMessage[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => streamJsonMessageSchema.parse(JSON.parse(line)))
}

describe('long sessions', () => {
  it('a task that would overflow an 8K window completes: the history is compressed, the requests show the summary', async () => {
    await settings({model: {contextWindowSize: WINDOW}})
    const rounds = 12
    // ~900 lines of 7 characters per command: each result is a third of the window or so.
    const work: ScriptStep[] = [
      {text: 'Planning.', toolCalls: [plan('p1', 'in_progress'), shell('c0', 'seq 100001 100900')]},
      ...Array.from({length: rounds - 1}, (_, i) => ({
        toolCalls: [shell(`c${i + 1}`, `seq ${200001 + i} ${200900 + i}`)],
      })),
      {toolCalls: [plan('p2', 'completed')]},
      {text: 'All numbers printed.'},
    ]
    const before = server.chatRequests().length
    server.setScript(dispatcher(work))
    const result = await runCli(['run', '--yolo', 'print a lot of numbers'], {
      cwd: project,
      env: cliEnv(home, server.url),
    })
    expect(result.stderr).not.toMatch(/^Error/m)
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('All numbers printed.')

    const requests = server
      .chatRequests()
      .slice(before)
      .map((request) => request.body as ChatRequestBody)
    const summaries = requests.filter(isSummaryRequest)
    const workRequests = requests.filter((body) => !isSummaryRequest(body))
    expect(summaries.length).toBeGreaterThanOrEqual(2)
    // Every command's output reached the model (in a request, or in the transcript a summary was made from), and
    // together they are far more than the window (7 characters a line, a token per 4 characters at most)...
    const seen = (id: string) =>
      requests.some(
        (body) =>
          body.messages.some((m) => m.role === 'tool' && m.tool_call_id === id) ||
          String(body.messages[1]?.content ?? '').includes(`[tool result ${id}]`),
      )
    for (let i = 0; i < rounds; i += 1) expect(seen(`c${i}`)).toBe(true)
    expect((rounds * 900 * 7) / 4).toBeGreaterThan(2 * WINDOW)
    // ...yet no request the model got passed the window (the fixture counts a token per 4 characters of JSON).
    for (const body of workRequests) expect(JSON.stringify(body.messages).length / 4).toBeLessThan(WINDOW)

    // The request right after each summary starts with the system prompt, then the summary, then recent turns.
    for (const [n] of summaries.entries()) {
      const index = requests.findIndex((body) => String(body.messages[1]?.content ?? '').includes(`SUMMARY-${n + 1}<`))
      expect(index).toBeGreaterThan(0)
      const after = requests[index] as ChatRequestBody
      expect(after.messages[0]?.role).toBe('system')
      expect(after.messages[0]?.content).toMatch(/^You are a coding agent/)
      expect(after.messages[1]?.role).toBe('user')
      // Every tool call in the request has its result, and no result lacks its call.
      const calls = after.messages.flatMap((m) => (m.tool_calls ?? []) as {id: string}[]).map((c) => c.id)
      const results = after.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)
      expect(results).toEqual(calls)
    }
    // The plan written before the first compression is carried in the summary message.
    const firstAfter = requests.find((body) => String(body.messages[1]?.content ?? '').includes('SUMMARY-1<'))
    expect(firstAfter?.messages[1]?.content).toContain('- [in_progress] Print the numbers')

    // The user was told, with the counts; and saw the plan as a checklist.
    expect(result.stderr).toMatch(/Context compressed \(near the context window\): [\d,]+ → [\d,]+ tokens/)
    expect(result.stderr).toContain('Plan (0/2 done)\n  ▸ Print the numbers\n  ○ Report')
    expect(result.stderr).toContain('Plan (2/2 done)')

    // The saved session holds the compression and the plan.
    const dir = path.join(home, '.local', 'share', 'sandbox-agent', 'conversations')
    const [file] = await fs.readdir(dir)
    const records = (await fs.readFile(path.join(dir, String(file)), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {type: string; tokensBefore?: number; tokensAfter?: number})
    const history = records.filter((record) => record.type === 'history')
    expect(history.length).toBe(summaries.length)
    expect(history[0]?.tokensAfter).toBeLessThan(history[0]?.tokensBefore ?? 0)
    expect(records.filter((record) => record.type === 'todos')).toHaveLength(2)
  })

  it('stream-json: compact_boundary and todos messages; a looping model ends with loop_detected', async () => {
    await settings({model: {contextWindowSize: WINDOW}})
    const same = () => ({toolCalls: [shell(`c${Math.random()}`, 'seq 100001 100900')]})
    server.setScript(
      dispatcher([{toolCalls: [plan('p', 'in_progress')]}, same(), same(), same(), same(), same(), same()]),
    )
    const result = await runCli(['run', '--yolo', '-o', 'stream-json', 'loop forever'], {
      cwd: project,
      env: cliEnv(home, server.url),
    })
    expect(result.exitCode).toBe(1)
    const messages = parseStreamJson(result.stdout)
    const todos = messages.find((m) => m.type === 'system' && m.subtype === 'todos')
    expect(todos).toMatchObject({
      data: {todos: [{id: '1', content: 'Print the numbers', status: 'in_progress'}, {id: '2'}]},
    })
    const boundary = messages.find((m) => m.type === 'system' && m.subtype === 'compact_boundary')
    expect(boundary).toMatchObject({compact_metadata: {trigger: 'auto'}, data: {context_window: WINDOW}})
    const final = messages.at(-1)
    expect(final).toMatchObject({
      type: 'result',
      subtype: 'error_during_execution',
      is_error: true,
      error: {type: 'loop_detected'},
    })
    expect(final?.type === 'result' && final.error?.message).toMatch(
      /^Loop detected: the model called run_shell_command with the same arguments 5 times in a row; the run was stopped/,
    )
  })

  it('model.skipLoopDetection: the same calls run on to the end', async () => {
    await settings({model: {skipLoopDetection: true}})
    const same = () => ({toolCalls: [shell(`c${Math.random()}`, 'true')]})
    server.setScript([same(), same(), same(), same(), same(), same(), {text: 'finished anyway'}])
    const result = await runCli(['run', '--yolo', 'loop a bit'], {cwd: project, env: cliEnv(home, server.url)})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('finished anyway')
  })
})
