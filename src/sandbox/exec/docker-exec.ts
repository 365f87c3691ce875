// Plain `docker exec` through the API: the TTY mode, interactive terminals, and the building block of the fallback backend.
import crypto from 'node:crypto'
import type {Duplex} from 'node:stream'
import type Dockerode from 'dockerode'

import {AGENT_USER, WORKSPACE_DIR} from '../lifecycle/container-spec.js'
import {DockerStreamDemuxer} from '../runner/chunk-reader.js'
import type {ExecHandle, ExecOptions} from '../types.js'
import {ExecStream} from './exec-stream.js'

/** Every process a docker-exec command starts inherits this variable, so it can be found (and killed) later. */
export const EXEC_MARKER = 'SANDBOX_AGENT_EXEC'
const KILL_GRACE_MS = 1000
/** Output held for a slow consumer before the exec stream is paused. */
const PAUSE_AT_BYTES = 4 * 1024 * 1024

export function resolveCwd(cwd: string | undefined): string {
  if (!cwd) return WORKSPACE_DIR
  return cwd.startsWith('/') ? cwd : `${WORKSPACE_DIR}/${cwd}`
}

function envList(env: Record<string, string> | undefined, marker: string): string[] {
  return [...Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`), `${EXEC_MARKER}=${marker}`]
}

/** A shell snippet that sends `signal` to every process carrying the marker (`*` for all markers). */
export function killMarkedScript(marker: string, signal: string): string {
  const pattern = marker === '*' ? `^${EXEC_MARKER}=` : `^${EXEC_MARKER}=${marker}$`
  return (
    `for p in /proc/[0-9]*; do ` +
    `if grep -qzE '${pattern}' "$p/environ" 2>/dev/null; then kill -s ${signal} "\${p#/proc/}" 2>/dev/null; fi; done; true`
  )
}

export interface ExecOutput {
  exitCode: number | null
  stdout: Buffer
  stderr: Buffer
}

/** Runs a short helper command to completion and collects its output (not for user commands: unbounded). */
export async function runExec(
  container: Dockerode.Container,
  cmd: string[],
  options: {stdin?: Buffer; env?: string[]; cwd?: string; user?: string} = {},
): Promise<ExecOutput> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdin: options.stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: options.user ?? AGENT_USER,
    WorkingDir: options.cwd ?? '/',
    ...(options.env ? {Env: options.env} : {}),
  })
  const socket = (await exec.start({hijack: true, stdin: options.stdin !== undefined, Tty: false})) as Duplex
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  const demuxer = new DockerStreamDemuxer((stream, chunk) => (stream === 'stdout' ? stdout : stderr).push(chunk))
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => demuxer.push(chunk))
    socket.on('end', resolve)
    socket.on('close', resolve)
    socket.on('error', reject)
    if (options.stdin !== undefined) socket.end(options.stdin)
  })
  const info = await exec.inspect()
  return {exitCode: info.ExitCode ?? null, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr)}
}

/** Kills a marked command's processes: TERM, then KILL after a grace period. */
async function killMarked(container: Dockerode.Container, marker: string): Promise<void> {
  await runExec(container, ['sh', '-c', killMarkedScript(marker, 'TERM')]).catch(() => undefined)
  setTimeout(
    () => void runExec(container, ['sh', '-c', killMarkedScript(marker, 'KILL')]).catch(() => undefined),
    KILL_GRACE_MS,
  ).unref()
}

/**
 * Runs one command with `docker exec` and streams it as an ExecHandle. With `tty` the output is one stream (stdout)
 * from a pseudo-terminal. Timeouts and aborts kill every process of the command (found by its marker variable).
 */
export function dockerExec(
  container: Dockerode.Container,
  command: string,
  options: ExecOptions = {},
  extra: {findLeftovers?: boolean} = {},
): ExecHandle & {stream: ExecStream} {
  const marker = crypto.randomBytes(8).toString('hex')
  let socket: Duplex | undefined
  let outstanding = 0
  const stream = new ExecStream({
    maxOutputBytes: options.maxOutputBytes,
    onConsumed: (bytes) => {
      outstanding -= bytes
      if (socket?.isPaused() && outstanding < PAUSE_AT_BYTES) socket.resume()
    },
  })
  if (options.signal?.aborted) {
    stream.finish({canceled: true, error: 'canceled before it started'})
    return Object.assign(stream, {stream})
  }
  let reason: 'timedOut' | 'canceled' | undefined
  const terminate = (why: 'timedOut' | 'canceled'): void => {
    if (reason || stream.finished) return
    reason = why
    void killMarked(container, marker)
  }
  const onAbort = (): void => terminate('canceled')
  options.signal?.addEventListener('abort', onAbort, {once: true})
  const timer = options.timeoutMs ? setTimeout(() => terminate('timedOut'), options.timeoutMs) : undefined
  const run = async (): Promise<void> => {
    const exec = await container.exec({
      Cmd: ['bash', '-c', command],
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: Boolean(options.tty),
      User: AGENT_USER,
      WorkingDir: resolveCwd(options.cwd),
      Env: envList(options.env, marker),
    })
    socket = (await exec.start({hijack: true, stdin: false, Tty: Boolean(options.tty)})) as Duplex
    const push = (kind: 'stdout' | 'stderr', chunk: Buffer): void => {
      outstanding += chunk.length
      stream.pushOutput(kind, chunk)
      if (outstanding >= PAUSE_AT_BYTES) socket?.pause()
    }
    const demuxer = new DockerStreamDemuxer(push)
    await new Promise<void>((resolve, reject) => {
      socket!.on('data', (chunk: Buffer) => (options.tty ? push('stdout', chunk) : demuxer.push(chunk)))
      socket!.on('end', resolve)
      socket!.on('close', resolve)
      socket!.on('error', reject)
    })
    const info = await exec.inspect()
    const exitCode = info.ExitCode ?? null
    const killedBy = reason && exitCode !== null && exitCode > 128 ? signalName(exitCode - 128) : null
    // What the command left running (e.g. `sleep 100 &`) still carries its marker.
    const backgroundPids = extra.findLeftovers && !reason ? await markedPids(container, marker) : []
    stream.finish({
      backgroundPids,
      exitCode: killedBy ? null : exitCode,
      signal: killedBy,
      timedOut: reason === 'timedOut',
      canceled: reason === 'canceled',
    })
  }
  run()
    .catch((error: Error) => stream.finish({containerGone: true, error: error.message}))
    .finally(() => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    })
  return Object.assign(stream, {stream})
}

async function markedPids(container: Dockerode.Container, marker: string): Promise<number[]> {
  const script = `for p in /proc/[0-9]*; do if grep -qzE '^${EXEC_MARKER}=${marker}$' "$p/environ" 2>/dev/null; then echo "\${p#/proc/}"; fi; done`
  const out = await runExec(container, ['sh', '-c', script]).catch(() => undefined)
  return (out?.stdout.toString() ?? '').split('\n').filter(Boolean).map(Number)
}

function signalName(number: number): string {
  const names: Record<number, string> = {
    1: 'SIGHUP',
    2: 'SIGINT',
    9: 'SIGKILL',
    15: 'SIGTERM',
    6: 'SIGABRT',
    13: 'SIGPIPE',
  }
  return names[number] ?? `SIG${number}`
}

/** `exec(cmd, {tty: true})`: output of a pseudo-terminal as stdout events (stdout and stderr are not separable). */
export function ttyExec(container: Dockerode.Container, command: string, options: ExecOptions): ExecHandle {
  return dockerExec(container, command, {...options, tty: true})
}

export interface TerminalOptions {
  cwd?: string
  env?: Record<string, string>
  cols?: number
  rows?: number
}

export interface TerminalHandle {
  /** Raw terminal bytes both ways: write the user's keystrokes, read the screen. */
  stream: Duplex
  resize(cols: number, rows: number): Promise<void>
  /** Resolves with the exit code once the program ends (or the stream closes). */
  exit: Promise<number | null>
}

/** An interactive program on a pseudo-terminal (vim, git rebase -i, htop): wire `stream` to the user's terminal. */
export async function openTerminal(
  container: Dockerode.Container,
  command: string,
  options: TerminalOptions = {},
): Promise<TerminalHandle> {
  const exec = await container.exec({
    Cmd: ['bash', '-c', command],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    User: AGENT_USER,
    WorkingDir: resolveCwd(options.cwd),
    Env: [
      `TERM=${process.env.TERM ?? 'xterm-256color'}`,
      ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ],
  })
  const stream = (await exec.start({hijack: true, stdin: true, Tty: true})) as Duplex
  const resize = async (cols: number, rows: number): Promise<void> => {
    await exec.resize({w: cols, h: rows}).catch(() => undefined)
  }
  // Listen for the end before anything else is awaited: a quick command can finish during the resize round trip.
  const exit = new Promise<number | null>((resolve) => {
    const done = (): void =>
      void exec.inspect().then(
        (info) => resolve(info.ExitCode ?? null),
        () => resolve(null),
      )
    stream.once('end', done)
    stream.once('close', done)
  })
  if (options.cols && options.rows) await resize(options.cols, options.rows)
  return {stream, resize, exit}
}
