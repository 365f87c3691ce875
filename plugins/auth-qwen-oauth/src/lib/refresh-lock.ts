// A cross-process lock for refreshing, on proper-lockfile: kept fresh while held, taken over once its holder is gone.
import fs from 'node:fs/promises'

export interface LockOptions {
  /** A lock not kept fresh for this long belongs to a process that died, and is taken over (at least 2 s). */
  staleMs?: number
  /** Give up waiting after this long. */
  timeoutMs?: number
  pollMs?: number
  signal?: AbortSignal
}

export class LockTimeoutError extends Error {
  constructor(file: string, waitedMs: number) {
    super(`another process holds ${file} (waited ${waitedMs} ms)`)
    this.name = 'LockTimeoutError'
  }
}

/**
 * Runs `work` while holding `file` (a lock directory, proper-lockfile's format) exclusively across processes; always
 * releases it. The holder touches the lock every staleMs / 2, so a slow refresh never loses it to a waiter.
 */
export async function withFileLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = Math.max(options.staleMs ?? 10_000, 2_000)
  const timeoutMs = options.timeoutMs ?? staleMs + 20_000
  const pollMs = options.pollMs ?? 100
  options.signal?.throwIfAborted()
  await removeStaleLegacyLock(file, staleMs)
  // Loaded here, not at start-up: only a refresh pays for it (and for graceful-fs under it).
  const {lock} = await import('proper-lockfile')
  const started = Date.now()
  const locking = lock(file, {
    lockfilePath: file,
    realpath: false,
    stale: staleMs,
    retries: {retries: Math.ceil(timeoutMs / pollMs), factor: 1, minTimeout: pollMs, maxTimeout: pollMs},
    // The default throws from a timer and ends the process; the refresh result is written atomically either way.
    onCompromised: () => {},
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new LockTimeoutError(file, Date.now() - started)
    throw error
  })
  const release = await abortable(locking, options.signal)
  try {
    return await work()
  } finally {
    await release().catch(() => {})
  }
}

/** Versions before proper-lockfile left a plain file at the same path; one left by a crashed process is removed. */
async function removeStaleLegacyLock(file: string, staleMs: number): Promise<void> {
  const stat = await fs.lstat(file).catch(() => undefined)
  if (stat?.isFile() && Date.now() - stat.mtimeMs > staleMs) await fs.rm(file, {force: true})
}

/** The lock's release, or the signal's reason; a lock taken after the abort is released at once. */
async function abortable(
  locking: Promise<() => Promise<void>>,
  signal: AbortSignal | undefined,
): Promise<() => Promise<void>> {
  if (!signal) return locking
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, {once: true})
  })
  try {
    return await Promise.race([locking, aborted])
  } catch (error) {
    if (signal.aborted) void locking.then((release) => release()).catch(() => {})
    throw error
  } finally {
    signal.removeEventListener('abort', onAbort!)
  }
}
