// A reader that goes away early (`agent diff <id> | head -3`) is not a failure: what is left to print is dropped and
// the command finishes its own work (keeping the sandbox stopped) instead of crashing on EPIPE with the container up.

/** Errors a stream gives once its reader has gone: the first write's EPIPE, then writes after it was destroyed. */
const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED'])

/**
 * From now on, a closed reader of `stream` only stops its output; any other error is left uncaught as before.
 * `onClosed` is told once.
 */
export function tolerateClosedReader(stream: NodeJS.WritableStream, onClosed?: () => void): void {
  let closed = false
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!GONE.has(error.code ?? '')) throw error
    if (closed) return
    closed = true
    onClosed?.()
  })
}
