// What `agent batch` shows while it runs: a live status line on a terminal, one plain line per event otherwise.
import type {OutputSink} from '../output/renderer.js'
import {safeLine} from '../output/sanitize.js'
import type {BatchEvent} from './batch-runner.js'

export interface BatchProgress {
  handle(event: BatchEvent): void
  /** One line (a notice, the pause after a 429), kept above the status line. */
  note(line: string): void
  /** Clears the status line and stops redrawing. */
  finish(): void
}

export function createBatchProgress(
  sink: OutputSink,
  counts: {total: number; alreadyDone: number},
  now: () => number = Date.now,
): BatchProgress {
  const started = now()
  const state = {done: counts.alreadyDone, failed: 0, running: 0, finishedHere: 0}
  const tty = sink.isTTY === true
  const print = (line: string) => {
    if (tty) sink.write(`\r\x1b[K${line}\n`)
    else sink.write(`${line}\n`)
    if (tty) drawStatus()
  }
  const status = (): string => {
    const minutes = (now() - started) / 60_000
    const rate = state.finishedHere > 0 && minutes > 0 ? state.finishedHere / minutes : undefined
    const left = counts.total - state.done
    const eta = rate && left > 0 ? ` · about ${duration((left / rate) * 60_000)} left` : ''
    const rateText = rate ? ` · ${rate.toFixed(1)} tasks/min` : ''
    const failed = state.failed > 0 ? ` · ${state.failed} failed` : ''
    return `${state.done}/${counts.total} done · ${state.running} running${failed}${rateText}${eta}`
  }
  const drawStatus = () => sink.write(`\r\x1b[K${status()}`)
  const timer = tty ? setInterval(drawStatus, 1000) : undefined
  timer?.unref()
  if (tty) drawStatus()

  return {
    handle(event) {
      const id = safeLine(event.task.id)
      switch (event.type) {
        case 'task_started':
          state.running += 1
          if (!tty && event.attempt === 1) print(`start ${id}`)
          else if (tty) drawStatus()
          break
        case 'task_retry':
          state.running -= 1
          print(`retry ${id} (attempt ${event.attempt}): ${safeLine(event.reason)}`)
          break
        case 'task_canceled':
          state.running -= 1
          print(`canceled ${id} (not done: a re-run with the same --out does it)`)
          break
        case 'task_finished': {
          state.running -= 1
          state.done += 1
          state.finishedHere += 1
          const {record} = event
          if (record.status !== 'success') state.failed += 1
          const tokens = (record.tokens.input + record.tokens.output).toLocaleString('en-US')
          const files = `${record.files_changed} file${record.files_changed === 1 ? '' : 's'}`
          const where = record.node ? ` · on ${safeLine(record.node)}` : ''
          const why = record.error ? ` · ${safeLine(record.error)}` : ''
          print(
            `[${state.done}/${counts.total}] ${id} ${record.status} · ${record.turns} turns · ${tokens} tokens · ` +
              `${(record.duration_ms / 1000).toFixed(1)}s · ${files}${where}${why}`,
          )
          break
        }
      }
    },
    note(line) {
      print(safeLine(line))
    },
    finish() {
      if (timer) clearInterval(timer)
      if (tty) sink.write('\r\x1b[K')
    },
  }
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`
}
