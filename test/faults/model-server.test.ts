// The model server fails (429, 500, garbage, a stream closed mid-answer): retried with backoff, then one clear failure,
// and the sandbox with the work done so far is kept for `agent diff`.
import fs from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ScriptStep} from '../fixtures/scripted-model/index.js'
import {createFaultEnv, errorLines, sessionContainers, sessionIdOf, shell, type FaultEnv} from './helpers/fault-env.js'

let env: FaultEnv

beforeAll(async () => {
  env = await createFaultEnv()
})

afterAll(async () => {
  await env?.[Symbol.asyncDispose]()
})

/** model.maxRetries 2: three attempts per request, backoff 0.5-1 s then 1-2 s (or the server's retry-after). */
const SETTINGS = JSON.stringify({model: {maxRetries: 2}})

interface Case {
  name: string
  fault: ScriptStep
  /** Model requests after the first (working) turn. */
  attempts: number
  failure: RegExp
  retry?: RegExp
}

const cases: Case[] = [
  {
    name: '429 with retry-after',
    fault: {fault: {kind: 'http', status: 429, retryAfter: 1, message: 'Rate limit reached'}},
    attempts: 3,
    failure: /failed after 3 attempts with HTTP 429: Rate limit reached\. The endpoint may be overloaded/,
    retry: /model request failed \(HTTP 429\); retry 1 in 1\.0s[\s\S]*retry 2 in 1\.0s/,
  },
  {
    name: '500',
    fault: {fault: {kind: 'http', status: 500}},
    attempts: 3,
    failure: /failed after 3 attempts with HTTP 500: scripted failure 500\./,
    retry: /model request failed \(HTTP 500\); retry 1 in [\s\S]*retry 2 in /,
  },
  {
    name: 'garbage instead of JSON',
    fault: {text: 'never shown', fault: {kind: 'malformed', afterChunks: 0}},
    attempts: 3,
    failure: /failed after 3 attempts with malformed data in stream/,
    retry: /model request failed \(malformed data in stream[^\n]*\); retry 1 in /,
  },
  {
    name: 'a stream closed in the middle of a tool call',
    fault: {toolCalls: [shell('half', 'echo this call never arrives whole')], fault: {kind: 'close', afterChunks: 4}},
    attempts: 3,
    failure: /failed after 3 attempts with stream broken/,
    retry: /the partial answer is dropped\); retry 1 in /,
  },
  {
    // Text already on the user's screen is not silently replaced by another answer: no retry, a clear error.
    name: 'a stream closed after text was shown',
    fault: {text: 'Here is the first part of a long answer', chunkSize: 4, fault: {kind: 'close', afterChunks: 3}},
    attempts: 1,
    failure: /failed with stream broken [^\n]*\(the answer broke off mid-stream\)/,
  },
]

describe('the model server fails mid-run', () => {
  it.each(cases)('$name: retried as configured, then one clear failure; the sandbox is kept', async (c) => {
    const project = await env.project({'a.txt': 'original\n', '.qwen/settings.json': SETTINGS})
    env.server.setScript([
      {toolCalls: [shell('work', 'echo done-before-the-failure > work.txt')]},
      ...Array.from({length: c.attempts}, () => c.fault),
      {text: 'never asked for'},
    ])
    const before = env.server.chatRequests().length
    const result = await env.run(['run', '--apply', 'do some work'], {cwd: project})
    const id = sessionIdOf(result.stderr)
    env.keptSession(id)

    // Retried as often as configured (the fixture's request log), with backoff between attempts.
    const requests = env.server.chatRequests().slice(before)
    expect(requests).toHaveLength(1 + c.attempts)
    if (c.retry) expect(result.stderr).toMatch(c.retry)
    else expect(result.stderr).not.toMatch(/retry \d in/)
    const gaps = requests.slice(2).map((r, i) => r.at - requests[i + 1]!.at)
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(450)

    // Then one failure line, and a line saying the sandbox is kept with the session id.
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(
      new RegExp(`^Failed: Model request to ${escape(env.server.url)}/chat/completions `, 'm'),
    )
    expect(result.stderr).toMatch(c.failure)
    expect(result.stderr).toContain(
      `The run failed, so nothing was applied. The sandbox is kept (stopped): review with \`agent diff ${id}\``,
    )
    expect(errorLines(result.stderr)).toEqual([])

    // --apply applied nothing; the work is in the kept sandbox.
    await expect(fs.access(path.join(project, 'work.txt'))).rejects.toThrow()
    expect(await sessionContainers(id)).toEqual([{name: `sandbox-agent-${id}--kept`, state: 'exited'}])
    const diff = await env.run(['diff', id, '--stat'], {cwd: project})
    expect(diff.exitCode).toBe(0)
    expect(diff.stdout).toMatch(/A work\.txt/)
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
