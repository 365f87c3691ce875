import {describe, expect, it} from 'vitest'

import {execResult} from '../sandbox/exec-result.js'
import type {ExecHandle, ExecResult, RefusedDestination, SandboxSession} from '../sandbox/types.js'
import {entryFor, withNetworkQuestions, type HostAnswer, type NetworkQuestions} from './network-questions.js'

/** A session whose commands end with the given refusals; records what was allowed. */
function fakeSession(refusals: RefusedDestination[][], allowHost?: (entry: string) => Promise<void>) {
  const allowed: string[] = []
  let call = 0
  const session = {
    id: 'fake',
    exec(): ExecHandle {
      const refused = refusals[call++] ?? []
      const result: ExecResult = execResult({
        exitCode: refused.length > 0 ? 56 : 0,
        ...(refused.length > 0
          ? {networkRefused: refused, networkNotes: refused.map((r) => `network: refused ${r.host}:${r.port}`)}
          : {}),
      })
      return {
        result: Promise.resolve(result),
        async *[Symbol.asyncIterator]() {
          yield {type: 'exit' as const, result}
        },
      }
    },
    allowHost:
      allowHost ??
      (async (entry: string) => {
        allowed.push(entry)
      }),
  } as unknown as SandboxSession
  return {session, allowed}
}

function questions(answers: Record<string, HostAnswer>) {
  const asked: string[] = []
  const notes: string[] = []
  const remembered: string[] = []
  const q: NetworkQuestions = {
    ask: async (entry) => {
      asked.push(entry)
      return answers[entry] ?? 'refuse'
    },
    remember: (entry) => {
      remembered.push(entry)
      return '/home/u/.qwen/sandboxAllowedHosts.json'
    },
    note: (line) => notes.push(line),
  }
  return {q, asked, notes, remembered}
}

describe('withNetworkQuestions', () => {
  it('asks once per host, allows for the session, and tells the model to run again', async () => {
    const {session, allowed} = fakeSession([[{host: 'a.test', port: 443}], [{host: 'a.test', port: 443}]])
    const {q, asked, notes} = questions({'a.test': 'session'})
    const wrapped = withNetworkQuestions(session, q)
    const first = await wrapped.exec('curl https://a.test').result
    expect(first.networkNotes).toEqual([
      'network: refused a.test:443',
      'network: the user allowed a.test for this session; run the command again to reach it',
    ])
    await wrapped.exec('curl https://a.test').result
    expect(asked).toEqual(['a.test'])
    expect(allowed).toEqual(['a.test'])
    expect(notes).toEqual(['network: a.test allowed for this session'])
  })

  it('saves "always for this project" and says where', async () => {
    const {session, allowed} = fakeSession([[{host: 'b.test', port: 8443}]])
    const {q, remembered} = questions({'b.test:8443': 'project'})
    const result = await withNetworkQuestions(session, q).exec('x').result
    expect(allowed).toEqual(['b.test:8443'])
    expect(remembered).toEqual(['b.test:8443'])
    expect(result.networkNotes?.at(-1)).toBe(
      'network: the user allowed b.test:8443 for this project (saved in /home/u/.qwen/sandboxAllowedHosts.json); run the command again to reach it',
    )
  })

  it('a refusal allows nothing, is told to the model, and is not asked again', async () => {
    const {session, allowed} = fakeSession([[{host: 'c.test', port: 80}], [{host: 'c.test', port: 80}]])
    const {q, asked} = questions({})
    const wrapped = withNetworkQuestions(session, q)
    for (let i = 0; i < 2; i++) {
      const result = await wrapped.exec('x').result
      expect(result.networkNotes).toContain('network: the user refused c.test; do not try to reach it again')
    }
    expect(asked).toEqual(['c.test'])
    expect(allowed).toEqual([])
  })

  it('the exit event carries the same annotated result', async () => {
    const {session} = fakeSession([[{host: 'd.test', port: 443}]])
    const handle = withNetworkQuestions(session, questions({'d.test': 'session'}).q).exec('x')
    const events = []
    for await (const event of handle) events.push(event)
    const exit = events.at(-1)
    expect(exit?.type === 'exit' && exit.result).toEqual(await handle.result)
  })

  it('a proxy that cannot take the host says so and asks again next time', async () => {
    const {session} = fakeSession([[{host: 'e.test', port: 443}], [{host: 'e.test', port: 443}]], async () => {
      throw new Error('the network proxy stopped')
    })
    const {q, asked} = questions({'e.test': 'session'})
    const wrapped = withNetworkQuestions(session, q)
    const result = await wrapped.exec('x').result
    expect(result.networkNotes?.at(-1)).toBe('network: e.test could not be allowed: the network proxy stopped')
    await wrapped.exec('x').result
    expect(asked).toEqual(['e.test', 'e.test'])
  })

  it('leaves a session without an allow list as it is', () => {
    const {session} = fakeSession([])
    const plain = {...session, allowHost: undefined} as SandboxSession
    expect(withNetworkQuestions(plain, questions({}).q)).toBe(plain)
  })

  it('asks for the host on the default ports, host:port on any other', () => {
    expect(entryFor({host: 'a.test', port: 80})).toBe('a.test')
    expect(entryFor({host: 'a.test', port: 443})).toBe('a.test')
    expect(entryFor({host: 'a.test', port: 8080})).toBe('a.test:8080')
  })
})
