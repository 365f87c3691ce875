// The runner starts each command's process ahead (standby.pl): what a command sees must not depend on whether it got
// that process or was spawned on the spot, and a standby the agent killed or stopped must never hold a command up.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {DockerSandboxSession} from '../../src/sandbox/docker-session.js'
import {makeEngine, makeProject, settings} from './helpers/fixtures.js'

/** Everything a command inherits from how it was started, one item a line; `age=` says how long ago its bash began. */
const PROBE = [
  'echo "age=$(awk -v u="$(cut -d" " -f1 /proc/uptime)" -v t="$(getconf CLK_TCK)" \'{print int(u - $22 / t)}\' /proc/$$/stat)"',
  'echo "cwd=$(pwd)"',
  "grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs|Seccomp|SigBlk|SigIgn|SigCgt)' /proc/$$/status",
  'echo "umask=$(umask)"',
  'ulimit -a',
  'echo "oom=$(cat /proc/$$/oom_score_adj)"',
  'echo "leader=$(( $(ps -o pgid= -p $$) == $$ )) session=$(( $(ps -o sid= -p $$) == $$ ))"',
  'echo "stdin=$(readlink /proc/$$/fd/0) fds=$(ls /proc/$$/fd | tr "\\n" " ")"',
  "env | grep -v '^_=' | sort",
].join('; ')

describe('standby command process', () => {
  const engine = makeEngine()
  let session: DockerSandboxSession

  beforeAll(async () => {
    session = await engine.open(makeProject({'sub/file.txt': 'x\n'}), settings())
    expect(session.backendKind).toBe('runner')
  })
  afterAll(async () => {
    await session?.close()
  })

  it('gives a command the same ids, capabilities, directory, environment, group and limits as a direct spawn', async () => {
    // Idle long enough that the standby is old; then two at once: one gets it, the other is spawned directly.
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const options = {cwd: 'sub', env: {FOO: 'bar baz', EQUALS: 'a=b=c'}}
    const results = await Promise.all([session.exec(PROBE, options).result, session.exec(PROBE, options).result])
    for (const result of results) expect(result.exitCode, result.stderr.text).toBe(0)
    const ages = results.map((result) => Number(/^age=(\d+)$/m.exec(result.stdout.text)?.[1]))
    expect(ages.filter((age) => age >= 1)).toHaveLength(1)
    const [first, second] = results.map((result) => result.stdout.text.replace(/^age=.*\n/m, ''))
    expect(first).toContain('cwd=/workspace/sub')
    expect(first).toContain('FOO=bar baz')
    expect(first).toContain('EQUALS=a=b=c')
    expect(first).toContain('CapBnd:')
    expect(second).toBe(first)
  })

  it('runs the next command at once after the agent killed or stopped the standby', async () => {
    // A command with stdin open is spawned directly, so it runs while the standby waits and can reach it (a command
    // run with exec would have taken the standby itself). The bracket keeps pkill from matching its own bash.
    const signalStandby = async (signal: 'KILL' | 'STOP') => {
      const killer = session.spawn(`pkill -${signal} -f 'standby[.]pl' && echo signalled`)
      killer.end()
      expect((await killer.result).stdout.text).toBe('signalled\n')
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    await signalStandby('KILL')
    expect((await session.exec('echo after-kill', {timeoutMs: 10_000}).result).stdout.text).toBe('after-kill\n')
    await new Promise((resolve) => setTimeout(resolve, 200))
    await signalStandby('STOP')
    const next = await session.exec('echo after-stop', {timeoutMs: 10_000}).result
    expect(next.timedOut).toBe(false)
    expect(next.stdout.text).toBe('after-stop\n')
    // The stopped one was dropped, not left behind.
    const left = await session.exec("ps -eo stat=,args= | grep 'standby[.]pl' | grep -c '^T' || true").result
    expect(left.stdout.text.trim()).toBe('0')
  })
})
