// Saved conversations on a real directory: written as they go, secrets redacted, read back with compressions
// applied, a torn last line tolerated, a corrupt file one problem line while the others still list, retention.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createRedactor} from './redact-secrets.js'
import {ConversationStore} from './session-store.js'

let dataDir: string
let store: ConversationStore
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-sessions-'))
  store = new ConversationStore(dataDir)
})
afterEach(() => fs.rmSync(dataDir, {recursive: true, force: true}))

const redact = createRedactor({OPENAI_API_KEY: 'sk-very-secret-key', HOME: '/home/user'})
const header = (title: string, projectRoot = '/work/app') => ({projectRoot, command: 'run', title, model: 'm'})

describe('ConversationStore', () => {
  it('writes each record at once and reads the conversation back, compressions applied', async () => {
    const recorder = store.create(header('fix the tests'), redact)
    recorder.message({role: 'system', content: 'SYSTEM'})
    recorder.message({role: 'user', content: 'fix the tests'})
    recorder.message({role: 'assistant', content: null, toolCalls: [{id: 'c1', name: 'x', arguments: '{}'}]})
    recorder.message({role: 'tool', toolCallId: 'c1', content: 'ok'})
    recorder.usage({inputTokens: 10, outputTokens: 2})
    recorder.sandbox('abc123')
    // Written already, before any end: a crash now loses nothing said so far.
    expect((await store.load(recorder.id)).messages).toHaveLength(4)

    recorder.history(
      [
        {role: 'system', content: 'SYSTEM'},
        {role: 'user', content: 'SUMMARY'},
      ],
      {before: 100, after: 20},
    )
    recorder.message({role: 'assistant', content: 'done'})
    recorder.end('completed')
    const loaded = await store.load(recorder.id.slice(0, 8))
    expect(loaded.messages).toEqual([
      {role: 'system', content: 'SYSTEM'},
      {role: 'user', content: 'SUMMARY'},
      {role: 'assistant', content: 'done'},
    ])
    expect(loaded.sandboxSessionId).toBe('abc123')
    expect(loaded.usage).toEqual({inputTokens: 10, outputTokens: 2})
    expect(loaded.summary).toMatchObject({title: 'fix the tests', projectRoot: '/work/app', ended: 'completed'})
    expect(fs.statSync(recorder.file).mode & 0o777).toBe(0o600)
  })

  it('never writes the API key, wherever it appears', async () => {
    const recorder = store.create(header('use sk-very-secret-key'), redact)
    recorder.message({role: 'user', content: 'my key is sk-very-secret-key'})
    const text = fs.readFileSync(recorder.file, 'utf8')
    expect(text).not.toContain('sk-very-secret-key')
    expect(text).toContain('my key is [redacted]')
  })

  it('drops a torn last line (a crash mid-write) but keeps the rest', async () => {
    const recorder = store.create(header('t'), redact)
    recorder.message({role: 'user', content: 'kept'})
    fs.appendFileSync(recorder.file, '{"type":"message","at":"x","mess')
    expect((await store.load(recorder.id)).messages).toEqual([{role: 'user', content: 'kept'}])
  })

  it('lists newest first, per project; a corrupt file is one line naming it and the others still list', async () => {
    const first = store.create(header('first'), redact)
    const other = store.create(header('other project', '/elsewhere'), redact)
    const second = store.create(header('second'), redact)
    fs.utimesSync(first.file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
    fs.writeFileSync(path.join(store.dir, 'broken.jsonl'), 'garbage\n{}\n')

    const {sessions, problems} = await store.list({projectRoot: '/work/app'})
    expect(sessions.map((session) => session.title)).toEqual(['second', 'first'])
    expect(problems).toEqual([
      `Skipped ${path.join(store.dir, 'broken.jsonl')}: not a session file (line 1 is not valid JSON)`,
    ])
    expect((await store.latest('/work/app'))?.id).toBe(second.id)
    expect((await store.list()).sessions).toHaveLength(3)
    expect(other.id).not.toBe(second.id)
  })

  it('unknown and ambiguous ids are user errors; rm removes', async () => {
    const recorder = store.create({...header('t'), id: 'aaa-1'}, redact)
    store.create({...header('t'), id: 'aaa-2'}, redact)
    await expect(store.load('zzz')).rejects.toThrow('No saved session zzz')
    await expect(store.load('aaa')).rejects.toThrow(/ambiguous/)
    await expect(store.load('../etc/passwd')).rejects.toThrow(/Not a session id/)
    expect(await store.remove('aaa-1')).toBe('aaa-1')
    expect(fs.existsSync(recorder.file)).toBe(false)
  })

  it('prunes by age and by count, never the sessions it is told to keep', async () => {
    const old = store.create(header('old'), redact)
    const keep = store.create(header('kept though old'), redact)
    const a = store.create(header('a'), redact)
    const b = store.create(header('b'), redact)
    const longAgo = new Date(Date.now() - 40 * 86_400_000)
    fs.utimesSync(old.file, longAgo, longAgo)
    fs.utimesSync(keep.file, longAgo, longAgo)
    fs.utimesSync(a.file, new Date(Date.now() - 1000), new Date(Date.now() - 1000))
    expect(await store.prune({}, [keep.id])).toEqual([old.id])
    expect(await store.prune({maxCount: 1}, [keep.id])).toEqual([a.id])
    expect(await store.prune({enabled: false})).toEqual([])
    expect((await store.list()).sessions.map((s) => s.id).sort()).toEqual([b.id, keep.id].sort())
  })
})
