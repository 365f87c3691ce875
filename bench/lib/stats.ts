// Small statistics and timing helpers for the benchmarks: medians, percentiles, a monotonic clock.
import {performance} from 'node:perf_hooks'

/** Milliseconds on a monotonic clock. */
export function now(): number {
  return performance.now()
}

export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/** Nearest-rank percentile (p in 0..100). NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1] as number
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length
}

/** Times one async call, in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ms: number; value: T}> {
  const start = now()
  const value = await fn()
  return {ms: now() - start, value}
}

/** "12.3 ms", "1.23 s" */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (ms >= 10) return `${ms.toFixed(1)} ms`
  return `${ms.toFixed(2)} ms`
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a'
  const mib = bytes / 1024 ** 2
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(1)} MiB`
}

/** "MB/s" in MiB per second. */
export function formatRate(bytes: number, ms: number): string {
  return `${(bytes / 1024 ** 2 / (ms / 1000)).toFixed(0)} MiB/s`
}
