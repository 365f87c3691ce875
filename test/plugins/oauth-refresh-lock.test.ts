// The Qwen OAuth refresh lock across real processes against a real loopback token server: one refresh for many, none lost.
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {
  startFakeAuthServer,
  type FakeAuthServer,
} from '../../plugins/auth-qwen-oauth/src/test-support/fake-auth-server.js'
import {assertBuilt, repoRoot} from '../foundation/run-cli.js'

const CHILD = path.join(repoRoot, 'test', 'plugins', 'helpers', 'refresh-child.ts')
const STALE_MS = 2000

let home: string
let server: FakeAuthServer
const children: ChildProcess[] = []

const credsFile = () => path.join(home, '.qwen', 'oauth_creds.json')
const lockDir = () => `${credsFile()}.lock`
const refreshes = () => server.requests.filter((r) => r.form.grant_type === 'refresh_token')

beforeEach(async () => {
  assertBuilt()
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-refresh-lock-'))
  server = await startFakeAuthServer()
  fs.mkdirSync(path.dirname(credsFile()), {recursive: true})
  const expired = {access_token: 'old', refresh_token: 'r-old', token_type: 'Bearer', expiry_date: Date.now() - 1}
  fs.writeFileSync(credsFile(), JSON.stringify(expired), {mode: 0o600})
})

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await server[Symbol.asyncDispose]()
  fs.rmSync(home, {recursive: true, force: true})
})

interface Refresher {
  lines: string[]
  /** Exit code and everything the process printed on stderr. */
  exited: Promise<{code: number | null; stderr: string}>
  child: ChildProcess
}

function startRefresher(): Refresher {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, home, server.tokenEndpoint, String(STALE_MS)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const lines: string[] = []
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    const parts = stdout.split('\n')
    stdout = parts.pop()!
    lines.push(...parts)
  })
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{code: number | null; stderr: string}>((resolve) =>
    child.on('close', (code) => resolve({code, stderr})),
  )
  return {lines, exited, child}
}

/** Waits (bounded by the test's timeout) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20)
}

const readsOfOld = (...refreshers: Refresher[]) =>
  refreshers.reduce((sum, r) => sum + r.lines.filter((line) => line === 'read old').length, 0)

function held(): {gate: Promise<void>; open: () => void} {
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  return {gate, open}
}

const newToken = {access_token: 'new', refresh_token: 'r-new', token_type: 'Bearer', expires_in: 3600}

describe('qwen-oauth refresh lock (real processes, loopback token server)', () => {
  it('two processes needing a refresh at once make one refresh request and both end with the new token', async () => {
    const reply = held()
    server.refreshReplies = [{body: newToken, until: reply.gate}]
    const first = startRefresher()
    const second = startRefresher()
    // The refresh is held open until one process sent it (two reads: before and inside the lock) and the other read
    // the expired token too (one read): without the lock, that other one would now send a refresh of its own.
    await until(() => refreshes().length >= 1 && readsOfOld(first, second) >= 3)
    reply.open()
    const results = await Promise.all([first.exited, second.exited])
    expect(results.map((r) => r.code)).toEqual([0, 0])
    expect(refreshes()).toHaveLength(1)
    expect(first.lines.at(-1)).toBe('token new')
    expect(second.lines.at(-1)).toBe('token new')
    expect(JSON.parse(fs.readFileSync(credsFile(), 'utf8'))).toMatchObject({
      access_token: 'new',
      refresh_token: 'r-new',
    })
    expect(fs.existsSync(lockDir())).toBe(false)
  })

  it('a holder slower than the stale limit keeps the lock: the waiter does not refresh a second time', async () => {
    const reply = held()
    server.refreshReplies = [{body: newToken, until: reply.gate}]
    const holder = startRefresher()
    await until(() => refreshes().length === 1)
    const waiter = startRefresher()
    await until(() => readsOfOld(waiter) >= 1)
    // Hold the refresh for over twice the stale limit while the waiter polls the lock.
    await sleep(STALE_MS * 2.5)
    reply.open()
    const results = await Promise.all([holder.exited, waiter.exited])
    expect(results.map((r) => r.code)).toEqual([0, 0])
    expect(refreshes()).toHaveLength(1)
    expect(waiter.lines.at(-1)).toBe('token new')
  })

  it('takes over the lock a killed process left behind', async () => {
    server.refreshReplies = [{body: newToken, until: new Promise(() => {})}, {body: newToken}]
    const killed = startRefresher()
    await until(() => refreshes().length === 1)
    killed.child.kill('SIGKILL')
    await killed.exited
    expect(fs.statSync(lockDir()).isDirectory()).toBe(true)
    const next = startRefresher()
    const result = await next.exited
    expect(result).toEqual({code: 0, stderr: ''})
    expect(refreshes()).toHaveLength(2)
    expect(next.lines.at(-1)).toBe('token new')
    expect(fs.existsSync(lockDir())).toBe(false)
  })
})
