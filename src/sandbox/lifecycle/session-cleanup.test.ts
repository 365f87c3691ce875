// SessionCleanup's crash handlers, in a child process: an unhandled rejection keeps open sessions, then exits 1.
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

const MODULE = fileURLToPath(new URL('./session-cleanup.ts', import.meta.url))

function crash(how: 'rejection' | 'exception') {
  const script = `
    const {SessionCleanup} = await import(${JSON.stringify(MODULE)})
    const cleanup = new SessionCleanup()
    cleanup.add({id: 's1', close: async () => console.log('closed s1'), keep: async () => console.log('kept s1')})
    cleanup.add({id: 's2', close: async () => console.log('closed s2'), keep: async () => console.log('kept s2')}, 'keep')
    cleanup.installCrashHandlers({report: (error, kept) => console.log('report', error.message, kept.join(','))})
    ${how === 'rejection' ? "Promise.reject(new Error('boom'))" : "setTimeout(() => { throw new Error('boom') })"}
  `
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {encoding: 'utf8'})
}

describe('SessionCleanup.installCrashHandlers', () => {
  it.each(['rejection', 'exception'] as const)('keeps every open session on an unhandled %s, then exits 1', (how) => {
    const result = crash(how)
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual(['kept s1', 'kept s2', 'report boom s1,s2'])
    expect(result.stderr).toBe('')
    expect(result.status).toBe(1)
  })
})
