// The terminal's modes for a session: raw input, bracketed paste, resize and signal handlers, stray stderr caught,
// and everything restored at the end (also on SIGTERM/SIGHUP, when the sandbox is kept).
import type {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import type {ChatTerminal} from './chat-options.js'
import {BRACKETED_PASTE_OFF as PASTE_OFF, BRACKETED_PASTE_ON as PASTE_ON, SHOW_CURSOR} from './terminal-modes.js'

export interface TerminalHandlers {
  data(data: Buffer): void
  resize(): void
  /** SIGINT (Ctrl-C when the terminal is not in raw mode). */
  interrupt(): void
  /** A line another part of the process wrote to stderr. */
  stderr(text: string): void
}

/** Puts the terminal in the session's modes; returns what puts it back. */
export function takeTerminal(terminal: ChatTerminal, cleanup: SessionCleanup, handlers: TerminalHandlers): () => void {
  const {input, output} = terminal
  const undo: (() => void)[] = []
  input.setRawMode?.(true)
  const onData = (data: Buffer | string) => handlers.data(typeof data === 'string' ? Buffer.from(data) : data)
  input.on('data', onData)
  input.resume()
  const onResize = () => handlers.resize()
  output.on('resize', onResize)
  const onSigint = () => handlers.interrupt()
  process.on('SIGINT', onSigint)
  undo.push(
    () => input.removeListener('data', onData),
    () => (output as NodeJS.EventEmitter).removeListener('resize', onResize),
    () => process.removeListener('SIGINT', onSigint),
  )
  // On SIGTERM/SIGHUP the sandbox is kept (nothing lost), and the terminal restored before exiting.
  undo.push(cleanup.installSignalHandlers({signals: ['SIGTERM', 'SIGHUP'], onSignal: () => restoreTerminal(terminal)}))
  // Whatever else writes to stderr meanwhile (a warning from a plugin or the sandbox) becomes a line of the
  // conversation instead of tearing through the live lines.
  const stderr = process.stderr
  const original = stderr.write.bind(stderr)
  stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    if (text.trim() !== '') handlers.stderr(text.replace(/\n+$/, ''))
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    callback?.()
    return true
  }) as typeof stderr.write
  undo.push(() => {
    stderr.write = original
  })
  // A terminal that went away (window closed) must not crash the process before the sandbox is kept.
  const ignore = () => undefined
  output.on('error', ignore)
  undo.push(() => (output as NodeJS.EventEmitter).removeListener('error', ignore))
  output.write(PASTE_ON)
  return () => {
    for (const step of undo.splice(0)) step()
    restoreTerminal(terminal)
    input.pause()
  }
}

function restoreTerminal({input, output}: ChatTerminal): void {
  try {
    output.write(`${PASTE_OFF}${SHOW_CURSOR}`)
    input.setRawMode?.(false)
  } catch {
    // the terminal is gone
  }
}
