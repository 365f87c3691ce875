// Attacks on the runner from inside: writing into its control channel, tracing or signalling it, and pointing the file
// tools at special files (a link to /dev/zero, a FIFO). The session must refuse each one and keep working.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AttackSuite, outputOf, shellCall, stdoutOf, type AttackRun} from './helpers/attack-run.js'

const suite = new AttackSuite()
let run: AttackRun

/** The runner's pid, found the way an attacker would (its command line is readable by anyone). */
const RUNNER_PID = `pid=$(pgrep -o -f /opt/sandbox-agent/runner.js); echo "runner=$pid"`

const ptrace = (request: number, name: string) =>
  `python3 -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.ptrace(${request}, int(sys.argv[1]), 0, 0)
print("${name}=" + ("ok" if r == 0 else os.strerror(ctypes.get_errno())))' "$pid"`

const call = (name: string, args: Record<string, unknown>, id: string) => ({id, name, arguments: args})

beforeAll(async () => {
  await suite.start()
  const project = suite.project({'README.md': 'hello\n'})
  run = await suite.run(project, [
    {
      toolCalls: [
        shellCall({
          id: 'inject',
          command: `${RUNNER_PID}; head -c 200000 /dev/urandom > /proc/$pid/fd/1 && echo stdout=written; head -c 200000 /dev/urandom > /proc/1/fd/1 && echo init=written; head -c 64 /dev/urandom > /proc/$pid/fd/0 && echo stdin=written; true`,
        }),
      ],
    },
    {toolCalls: [shellCall({id: 'after-inject', command: 'echo alive-after-inject'})]},
    {
      toolCalls: [
        shellCall({
          id: 'trace',
          command: `${RUNNER_PID}; ${ptrace(16, 'attach')}; ${ptrace(0x4206, 'seize')}; kill -STOP $pid && echo stop=ok; cat /proc/$pid/environ >/dev/null && echo environ=read; ls /proc/$pid/fd >/dev/null && echo fds=listed; true`,
        }),
      ],
    },
    {toolCalls: [shellCall({id: 'after-trace', command: 'echo alive-after-trace'})]},
    {
      toolCalls: [
        shellCall({
          id: 'plant',
          command:
            'ln -s /dev/zero zero && ln -s /dev/null null && mkfifo fifo && ln -s fifo fifo-link && ln -s /dev/stdin in && echo planted',
        }),
      ],
    },
    {toolCalls: [call('read_file', {absolute_path: '/workspace/zero'}, 'read-zero')]},
    {toolCalls: [call('read_file', {absolute_path: '/workspace/fifo'}, 'read-fifo')]},
    {toolCalls: [call('read_file', {absolute_path: '/workspace/fifo-link'}, 'read-fifo-link')]},
    {toolCalls: [call('read_file', {absolute_path: '/workspace/in'}, 'read-stdin')]},
    {toolCalls: [call('write_file', {file_path: '/workspace/fifo-link', content: 'x'}, 'write-fifo-link')]},
    {toolCalls: [call('write_file', {file_path: '/workspace/fifo', content: 'x'}, 'write-fifo')]},
    {toolCalls: [call('write_file', {file_path: '/workspace/null', content: 'x'}, 'write-null')]},
    {toolCalls: [call('read_file', {absolute_path: '/workspace/README.md'}, 'read-readme')]},
    {toolCalls: [shellCall({id: 'after-files', command: 'echo alive-after-files'})]},
    {text: 'done'},
  ])
}, 240_000)

afterAll(async () => {
  await suite.stop()
})

describe('the runner control channel', () => {
  it('cannot be written by a command, through the runner or through init', () => {
    const out = outputOf(run.tools.inject)
    expect(out).toMatch(/runner=\d+/)
    expect(out).not.toContain('stdout=written')
    expect(out).not.toContain('init=written')
    expect(out).not.toContain('stdin=written')
    expect(out).toMatch(/Permission denied/)
  })

  it('cannot be traced, stopped or inspected by a command', () => {
    const out = outputOf(run.tools.trace)
    expect(out).toMatch(/attach=Operation not permitted/)
    expect(out).toMatch(/seize=Operation not permitted/)
    expect(out).not.toContain('stop=ok')
    expect(out).not.toContain('environ=read')
    expect(out).not.toContain('fds=listed')
  })

  it('keeps working after each attempt, and the run ends normally', () => {
    expect(outputOf(run.tools['after-inject'])).toContain('alive-after-inject')
    expect(outputOf(run.tools['after-trace'])).toContain('alive-after-trace')
    expect(run.final?.subtype).toBe('success')
    expect(run.cli.exitCode).toBe(0)
  })
})

describe('the file tools on special files', () => {
  it('refuse a link to /dev/zero, a FIFO, a link to a FIFO and /dev/stdin, with an error', () => {
    expect(stdoutOf(run.tools.plant)).toContain('planted')
    expect(run.tools['read-zero']).toMatch(/a character device, not a regular file/)
    expect(run.tools['read-fifo']).toMatch(/not a regular file/)
    expect(run.tools['read-fifo-link']).toMatch(/a FIFO, not a regular file/)
    expect(run.tools['read-stdin']).toMatch(/^Error: .*(not a regular file|permission denied)/)
    expect(run.tools['write-fifo-link']).toMatch(/a FIFO, not a regular file/)
    expect(run.tools['write-fifo']).toMatch(/not a regular file/)
    expect(run.tools['write-null']).toMatch(/a character device, not a regular file/)
  })

  it('leave the session working: a regular file reads and the next command runs', () => {
    expect(run.tools['read-readme']).toContain('hello')
    expect(outputOf(run.tools['after-files'])).toContain('alive-after-files')
  })
})
