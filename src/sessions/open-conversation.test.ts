// A saved run resumed through the agent loop: the second run sends the whole earlier history, then the new prompt.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createApprovals} from '../agent/approvals.js'
import type {ModelClient, ModelRequest} from '../agent/model-client.js'
import {runAgent} from '../agent/run-agent.js'
import type {SandboxSession} from '../sandbox/types.js'
import {openConversation} from './open-conversation.js'

let dataDir: string
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-resume-'))
})
afterEach(() => fs.rmSync(dataDir, {recursive: true, force: true}))

function model(answers: string[]): ModelClient & {requests: ModelRequest[]} {
  const requests: ModelRequest[] = []
  return {
    model: 'm',
    requests,
    async *stream(request) {
      requests.push(structuredClone(request))
      yield {type: 'text', text: answers[requests.length - 1] ?? 'no more'}
      yield {type: 'usage', usage: {inputTokens: 5, outputTokens: 1}}
      yield {type: 'done', finishReason: 'stop'}
    },
  }
}

const session = {id: 'sbx', hostWorkspace: '/p'} as unknown as SandboxSession
const base = {projectRoot: '/p', env: {OPENAI_API_KEY: 'sk-secret-value-1'}, command: 'run'}

async function drain(options: Parameters<typeof runAgent>[0]): Promise<void> {
  for await (const event of runAgent(options)) void event
}

describe('openConversation + runAgent', () => {
  it('--continue sends the earlier history again; --resume of another project is refused', async () => {
    const first = await openConversation({...base, dataDir, title: 'first task', note: () => undefined})
    const m1 = model(['First answer.'])
    await drain({
      model: m1,
      tools: [],
      session,
      approvals: createApprovals({mode: 'yolo'}),
      signal: new AbortController().signal,
      maxTurns: 3,
      prompt: 'first task',
      systemPrompt: 'SYS',
      recorder: first.recorder,
    })

    const again = await openConversation({...base, dataDir, title: 'second', continue: true})
    expect(again.resumed?.header.id).toBe(first.recorder.id)
    const m2 = model(['Second answer.'])
    await drain({
      model: m2,
      tools: [],
      session,
      approvals: createApprovals({mode: 'yolo'}),
      signal: new AbortController().signal,
      maxTurns: 3,
      prompt: 'second task',
      recorder: again.recorder,
      ...(again.messages ? {conversation: again.messages} : {}),
    })
    expect(m2.requests[0]?.messages).toEqual([
      {role: 'system', content: 'SYS'},
      {role: 'user', content: 'first task'},
      {role: 'assistant', content: 'First answer.'},
      {role: 'user', content: 'second task'},
    ])
    const third = await openConversation({...base, dataDir, title: 'x', resume: first.recorder.id.slice(0, 8)})
    expect(third.messages).toHaveLength(5)
    await expect(
      openConversation({...base, dataDir, projectRoot: '/other', title: 'x', resume: first.recorder.id}),
    ).rejects.toThrow(`Session ${first.recorder.id} belongs to /p`)
  })

  it('--continue with no earlier session starts a new one and says so', async () => {
    const notes: string[] = []
    const opened = await openConversation({...base, dataDir, title: 't', continue: true, note: (l) => notes.push(l)})
    expect(opened.resumed).toBeUndefined()
    expect(notes).toEqual(['no earlier session of this project to continue; starting a new one'])
  })
})
