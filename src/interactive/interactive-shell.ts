// tools.shell.enableInteractiveShell in a session: the shell tool's TTY commands run on a pseudo-terminal with the
// keyboard attached, so the UI can hand the user's keys to them (Ctrl+F) for vim, git rebase -i, htop or a REPL.
import {randomBytes} from 'node:crypto'
import type {Duplex} from 'node:stream'

import {execResult} from '../sandbox/exec-result.js'
import type {ExecEvent, ExecHandle, ExecOptions, ExecResult, SandboxSession} from '../sandbox/types.js'

/** What a session that can open interactive terminals offers (the Docker session does). */
export interface TerminalCapable {
  openTerminal(
    command: string,
    options: {cwd?: string; env?: Record<string, string>; cols?: number; rows?: number},
  ): Promise<{stream: Duplex; resize(cols: number, rows: number): Promise<void>; exit: Promise<number | null>}>
}

/** A command running on a pseudo-terminal, as the UI sees it. */
export interface LiveTerminal {
  readonly command: string
  /** Sends keystrokes to the program. */
  write(data: string | Buffer): void
  resize(cols: number, rows: number): void
  /** The user has the keyboard: the command's timeout no longer applies (people take their time in an editor). */
  userTookOver(): void
}

/** The UI side: shows the output, and focuses the terminal when the user asks. */
export interface TerminalHost {
  size(): {cols: number; rows: number}
  started(terminal: LiveTerminal): void
  output(terminal: LiveTerminal, chunk: Buffer): void
  ended(terminal: LiveTerminal): void
}

/** Every process a terminal command starts carries this variable, so a cancel can find and stop them all. */
const MARKER_VARIABLE = 'SANDBOX_AGENT_TTY'
const KILL_GRACE_MS = 1000
const GIVE_UP_MS = 4000

export function canOpenTerminals(session: SandboxSession): session is SandboxSession & TerminalCapable {
  return typeof (session as Partial<TerminalCapable>).openTerminal === 'function'
}

/**
 * The session with `exec(cmd, {tty: true})` (foreground) run through an interactive terminal the host can focus.
 * Background commands run without a TTY (they return at once and nobody types into them). Everything else is the
 * session itself.
 */
export function withInteractiveShell(session: SandboxSession, host: TerminalHost): SandboxSession {
  if (!canOpenTerminals(session)) return session
  return new Proxy(session, {
    get(target, property, receiver) {
      if (property === 'exec') {
        return (command: string, options: ExecOptions = {}): ExecHandle => {
          if (!options.tty) return target.exec(command, options)
          if (options.background) return target.exec(command, {...options, tty: false})
          return terminalExec(target, command, options, host)
        }
      }
      const value = Reflect.get(target, property, receiver) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

function killScript(marker: string, signal: 'TERM' | 'KILL'): string {
  return (
    `for p in /proc/[0-9]*; do ` +
    `if grep -qzE '^${MARKER_VARIABLE}=${marker}$' "$p/environ" 2>/dev/null; then kill -s ${signal} "\${p#/proc/}" 2>/dev/null; fi; done; true`
  )
}

const SIGNALS: Record<number, string> = {1: 'SIGHUP', 2: 'SIGINT', 9: 'SIGKILL', 13: 'SIGPIPE', 15: 'SIGTERM'}

/** Runs one command on an interactive terminal; the handle streams its screen output as stdout. */
export function terminalExec(
  session: SandboxSession & TerminalCapable,
  command: string,
  options: ExecOptions,
  host: TerminalHost,
): ExecHandle {
  const events: ExecEvent[] = []
  let wake: (() => void) | undefined
  let finished: ExecResult | undefined
  let resolveResult!: (result: ExecResult) => void
  const result = new Promise<ExecResult>((resolve) => (resolveResult = resolve))
  const started = Date.now()
  const max = options.maxOutputBytes ?? 256 * 1024
  const kept: Buffer[] = []
  let keptBytes = 0
  let totalBytes = 0
  let reason: 'timedOut' | 'canceled' | undefined
  let stream: Duplex | undefined
  let timer: NodeJS.Timeout | undefined
  let shown = false
  const marker = randomBytes(8).toString('hex')

  const push = (event: ExecEvent) => {
    events.push(event)
    wake?.()
  }
  const finish = (fields: Partial<ExecResult>) => {
    if (finished) return
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    if (shown) host.ended(terminal)
    const text = Buffer.concat(kept).toString('utf8')
    finished = execResult({
      timedOut: reason === 'timedOut',
      canceled: reason === 'canceled',
      durationMs: Date.now() - started,
      stdout: {text, totalBytes, omittedBytes: totalBytes - keptBytes},
      ...fields,
    })
    push({type: 'exit', result: finished})
    resolveResult(finished)
  }

  const terminate = (why: 'timedOut' | 'canceled') => {
    if (reason || finished) return
    reason = why
    // Ctrl-C to the foreground program first (as a person would), then every process of the command.
    stream?.write('\u0003')
    const kill = (signal: 'TERM' | 'KILL') =>
      void session.exec(killScript(marker, signal), {timeoutMs: 10_000}).result.catch(() => undefined)
    kill('TERM')
    setTimeout(() => kill('KILL'), KILL_GRACE_MS).unref()
    setTimeout(() => {
      stream?.destroy()
      finish({})
    }, GIVE_UP_MS).unref()
  }
  const onAbort = () => terminate('canceled')

  const terminal: LiveTerminal = {
    command,
    write: (data) => {
      if (!finished) stream?.write(data)
    },
    resize: () => undefined,
    userTookOver: () => clearTimeout(timer),
  }

  const run = async () => {
    if (options.signal?.aborted) {
      reason = 'canceled'
      return finish({error: 'canceled before it started'})
    }
    options.signal?.addEventListener('abort', onAbort, {once: true})
    if (options.timeoutMs) timer = setTimeout(() => terminate('timedOut'), options.timeoutMs)
    // No size here: openTerminal would resize before it watches the stream, and a quick command could end unseen.
    const opened = await session.openTerminal(command, {
      ...(options.cwd ? {cwd: options.cwd} : {}),
      env: {...options.env, [MARKER_VARIABLE]: marker},
    })
    stream = opened.stream
    terminal.resize = (c, r) => void opened.resize(c, r)
    if (reason) stream.write('\u0003')
    shown = true
    host.started(terminal)
    stream.on('data', (chunk: Buffer) => {
      totalBytes += chunk.length
      if (keptBytes < max) {
        const part = chunk.subarray(0, max - keptBytes)
        kept.push(part)
        keptBytes += part.length
      }
      host.output(terminal, chunk)
      push({type: 'stdout', chunk})
    })
    stream.on('error', () => undefined)
    const {cols, rows} = host.size()
    void opened.resize(cols, rows)
    const code = await opened.exit
    const killedBy = code !== null && code > 128 && reason ? (SIGNALS[code - 128] ?? `SIG${code - 128}`) : null
    finish({exitCode: killedBy ? null : code, signal: killedBy})
  }
  run().catch((error: unknown) => {
    finish({error: error instanceof Error ? error.message : String(error), containerGone: false})
  })

  return {
    result,
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (events.length > 0) {
          const event = events.shift() as ExecEvent
          yield event
          if (event.type === 'exit') return
        }
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
      }
    },
  }
}
