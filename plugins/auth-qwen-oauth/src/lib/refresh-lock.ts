// A cross-process lock for refreshing: a lock file created with O_EXCL, taken over when older than the stale limit.
import fs from 'node:fs/promises'

export interface LockOptions {
  /** A lock file older than this is from a crashed process and is removed. */
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

/** Runs `work` while holding `file` exclusively across processes; always releases it. */
export async function withFileLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? 30_000
  const timeoutMs = options.timeoutMs ?? staleMs + 5_000
  const pollMs = options.pollMs ?? 100
  const started = Date.now()
  for (;;) {
    options.signal?.throwIfAborted()
    try {
      const handle = await fs.open(file, 'wx', 0o600)
      try {
        await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`)
      } finally {
        await handle.close()
      }
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const stat = await fs.stat(file).catch(() => undefined)
    if (stat && Date.now() - stat.mtimeMs > staleMs) {
      await fs.rm(file, {force: true})
      continue
    }
    if (Date.now() - started > timeoutMs) throw new LockTimeoutError(file, Date.now() - started)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  try {
    return await work()
  } finally {
    await fs.rm(file, {force: true})
  }
}
