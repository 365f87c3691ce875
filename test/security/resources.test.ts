// Resource exhaustion, end to end through `agent run`: fork bomb, memory bomb, a full /tmp, a command that never ends,
// and gigabytes of output; each is contained in the sandbox, reported to the model, and the host stays fine.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  AttackSuite,
  attackScript,
  containersOf,
  hostProcesses,
  parseRun,
  shellCall,
  spawnRun,
  stdoutOf,
  waitFor,
} from './helpers/attack-run.js'

const suite = new AttackSuite()

beforeAll(() => suite.start())
afterAll(() => suite.stop())

/** Reads a cgroup counter with bash builtins only (no fork: after a fork bomb there is no process left to spare). */
const readCgroup = (name: string, file: string) =>
  `for f in /sys/fs/cgroup/pids/${file} /sys/fs/cgroup/${file}; do [ -r "$f" ] && read v < "$f" && echo "${name}=$v" && break; done`

describe('resource exhaustion stays in the sandbox (agent run, real container)', () => {
  it('a fork bomb hits the PID limit; the run still finishes and the container is gone', async () => {
    const project = suite.project({}, {pids: 64})
    const run = await suite.run(
      project,
      attackScript([
        {
          id: 'bomb',
          command: `bomb() { bomb | bomb & }; bomb; sleep 2; ${readCgroup('max', 'pids.max')}; ${readCgroup('current', 'pids.current')}; echo survived`,
          timeout: 30_000,
        },
      ]),
    )
    const out = run.tools.bomb ?? ''
    expect(out).toMatch(/fork: (retry: )?Resource temporarily unavailable/)
    expect(stdoutOf(out)).toMatch(/^max=64$/m)
    expect(Number(/^current=(\d+)$/m.exec(stdoutOf(out))?.[1])).toBeLessThanOrEqual(64)
    expect(stdoutOf(out)).toMatch(/survived/)
    // The host: the CLI finished the run on its own and removed the container with all the bomb's processes.
    expect(run.cli.exitCode).toBe(0)
    expect(run.final).toMatchObject({subtype: 'success', result: 'done'})
    expect(await containersOf(project)).toEqual([])
  })

  it('a memory bomb is OOM-killed and reported; /tmp fills only to its cap; a never-ending command is killed at its timeout', async () => {
    const project = suite.project({}, {memory: '384m', tmpSize: '32m'})
    const run = await suite.run(
      project,
      attackScript([
        {id: 'memory', command: `python3 -c 'a = []\nwhile True: a.append(bytearray(32 * 1024 * 1024))'`},
        {id: 'alive', command: 'echo still-alive'},
        {id: 'tmp', command: 'head -c 200M /dev/zero > /tmp/fill; echo head=$?; stat -c %s /tmp/fill; df -k /tmp'},
        {id: 'sleep', command: 'echo started; sleep 100000', timeout: 1500},
        // Ignores SIGTERM: the timeout must escalate to SIGKILL.
        {id: 'stubborn', command: "trap '' TERM; echo started; while :; do :; done", timeout: 1500},
      ]),
    )
    expect(run.tools.memory).toMatch(/^Error: Command was killed because the sandbox ran out of memory/m)
    expect(run.tools.memory).toMatch(/^Signal: 9 \(SIGKILL\)$/m)
    expect(stdoutOf(run.tools.alive)).toBe('still-alive')

    const tmp = stdoutOf(run.tools.tmp)
    expect(run.tools.tmp).toMatch(/No space left on device/)
    expect(tmp).toMatch(/^head=1$/m)
    expect(tmp).toMatch(new RegExp(`^${32 * 1024 * 1024}$`, 'm'))
    expect(tmp).toMatch(/^tmpfs\s+32768\s+32768\s+0\s+100% \/tmp$/m)

    for (const id of ['sleep', 'stubborn']) {
      expect(run.tools[id]).toMatch(/^Stdout: started$/m)
      expect(run.tools[id]).toMatch(/^Error: Command timed out after 1500 ms$/m)
      expect(run.tools[id]).toMatch(/^Exit Code: \(none\)$/m)
    }
    expect(run.tools.stubborn).toMatch(/^Signal: 9 \(SIGKILL\)$/m)
    expect(run.cli.exitCode).toBe(0)
    expect(await containersOf(project)).toEqual([])
  })

  it('gigabytes of output: host memory stays bounded, the model gets head and tail, Ctrl-C still answers', async () => {
    const project = suite.project({})
    const GiB = 1024 ** 3
    // The CLI's own footprint, for comparison: the same run with a command that prints one line.
    const small = spawnRun(suite, project, attackScript([{id: 'small', command: 'echo small'}]), ['--yolo'])
    const baseline = (await small.exited).peakRssBytes
    const cli = spawnRun(
      suite,
      project,
      [
        {
          toolCalls: [
            shellCall({id: 'flood', command: `yes 'flood of output' | head -c ${2 * GiB}; echo; echo the-end`}),
            shellCall({id: 'endless', command: 'yes endless output'}),
          ],
        },
        {text: 'done'},
      ],
      ['--approval-mode', 'yolo'],
    )
    // Once the second, never-ending flood runs, Ctrl-C must still stop it promptly.
    await waitFor(() => /"tool_use_id":"flood"/.test(cli.stdout()), 110_000)
    await waitFor(async () => (await hostProcesses('yes endless output')).length > 0)
    cli.kill('SIGINT')
    const {code, peakRssBytes} = await cli.exited
    const run = parseRun({exitCode: code, signal: null, stdout: cli.stdout(), stderr: cli.stderr(), durationMs: 0})

    const flood = run.tools.flood ?? ''
    expect(flood).toMatch(/^Stdout: flood of output\n/m)
    expect(flood).toMatch(/\nthe-end\nStderr: \(empty\)/)
    expect(flood).toMatch(
      /cut here; the first 64 MiB of the output are in \/tmp\/sandbox-agent\/output\/\S+-stdout\.log/,
    )
    expect(flood).toMatch(/^Exit Code: 0$/m)
    expect(flood.length).toBeLessThan(30_000)
    expect(run.tools.endless).toMatch(/cancelled by user/i)
    expect(code).toBe(0)
    expect(run.final).toMatchObject({subtype: 'success'})
    // 2 GiB went through; the CLI held only a few 8 MiB parts of it at a time.
    const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`
    console.log(`output flood: CLI peak RSS ${mib(peakRssBytes)} for 2 GiB of output (${mib(baseline)} for one line)`)
    expect(baseline).toBeGreaterThan(0)
    expect(peakRssBytes - baseline).toBeLessThan(256 * 1024 ** 2)
    expect(await containersOf(project)).toEqual([])
  })
})
