// The frame every benchmark runs in: times it, cleans up on exit or Ctrl-C, prints and saves its report, never hides a failure.
import os from 'node:os'
import {removeAllCreated, removeEngineLeftovers} from './docker-cli.js'
import {printReport, saveReport, WORK_DIR, type BenchReport, type Figure} from './report.js'
import {now} from './stats.js'

export interface BenchOutcome {
  figures: Figure[]
  notes: string[]
  raw?: Record<string, unknown>
}

export interface BenchMeta {
  name: string
  title: string
  order: number
}

type Cleanup = () => Promise<void>
const cleanups: Cleanup[] = []

/** Registers something to undo at the end of the run, including after Ctrl-C or a failure (last in, first out). */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn)
}

async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop() as Cleanup
    try {
      await fn()
    } catch (error) {
      process.stderr.write(`cleanup failed: ${String(error)}\n`)
    }
  }
  await removeAllCreated()
  const leftovers = await removeEngineLeftovers(WORK_DIR)
  if (leftovers.length > 0) progress(`removed ${leftovers.length} engine container(s) left for bench workspaces`)
}

let guard: unknown[] | undefined

/**
 * Runs code under test that may leave a promise rejection unhandled, recording such rejections (as findings) instead
 * of letting them crash the benchmark.
 */
export async function guardRejections<T>(
  fn: () => Promise<T>,
): Promise<{value?: T; error?: unknown; unhandled: unknown[]}> {
  const unhandled: unknown[] = []
  guard = unhandled
  try {
    return {value: await fn(), unhandled}
  } catch (error) {
    return {error, unhandled}
  } finally {
    // Let rejections from the last ticks arrive before the guard goes.
    await new Promise((resolve) => setTimeout(resolve, 50))
    guard = undefined
  }
}

/** Logs progress to stderr (stdout carries the figures). */
export function progress(message: string): void {
  process.stderr.write(`  [bench] ${message}\n`)
}

export async function runBench(meta: BenchMeta, body: () => Promise<BenchOutcome>): Promise<void> {
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130)
    interrupted = true
    progress(`${signal}: cleaning up`)
    void cleanupAll().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  // Code under test may crash the process (e.g. an unhandled rejection): still remove what we created, say so.
  const onCrash = (error: unknown) => {
    if (guard) {
      guard.push(error)
      return
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stderr.write(`${meta.title}: the process crashed: ${message}\n`)
    void cleanupAll().finally(() => {
      const report: BenchReport = {
        ...meta,
        ranAt: new Date().toISOString(),
        durationMs: now() - start,
        figures: [],
        notes: [`The benchmark crashed (code under test): ${firstLine(message)}`],
      }
      printReport(report)
      saveReport(report)
      process.exit(1)
    })
  }
  process.on('uncaughtException', onCrash)
  process.on('unhandledRejection', onCrash)
  const start = now()
  const loadBefore = os.loadavg()[0] ?? Number.NaN
  let outcome: BenchOutcome
  try {
    outcome = await body()
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stderr.write(`${meta.title} failed: ${message}\n`)
    outcome = {figures: [], notes: [`The benchmark failed: ${firstLine(message)}`]}
    process.exitCode = 1
  } finally {
    await cleanupAll()
  }
  const report: BenchReport = {
    ...meta,
    ranAt: new Date().toISOString(),
    durationMs: now() - start,
    figures: outcome.figures,
    notes: [
      ...outcome.notes,
      `Machine load (1-minute average) ${loadBefore.toFixed(1)} at the start, ${(os.loadavg()[0] ?? Number.NaN).toFixed(1)} ` +
        `at the end, on ${os.cpus().length} cores shared with other work.`,
    ],
    raw: outcome.raw,
  }
  printReport(report)
  saveReport(report)
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text
}
