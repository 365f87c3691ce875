// The batch scheduler: up to N tasks at once, done tasks skipped, lost sandboxes retried, and a stop that loses nothing.
import type {TaskRecord} from './batch-output.js'
import type {TaskAttempt} from './run-batch-task.js'
import type {BatchTask} from './task-file.js'

/** What the scheduler tells the display and the output as it goes. */
export type BatchEvent =
  | {type: 'task_started'; task: BatchTask; attempt: number}
  | {type: 'task_retry'; task: BatchTask; attempt: number; reason: string}
  | {type: 'task_finished'; task: BatchTask; record: TaskRecord}
  | {type: 'task_canceled'; task: BatchTask}

export interface BatchControl {
  /** Aborted: no task starts any more (the running ones go on). */
  stopStarting: AbortSignal
  /** Aborted: the running tasks are cancelled (their sandboxes removed; they are not done and run again next time). */
  cancel: AbortSignal
}

export interface BatchRunOptions {
  tasks: readonly BatchTask[]
  parallel: number
  /** Further attempts for a task whose sandbox was lost (a node died) or could not start on the engine. */
  retries: number
  control: BatchControl
  /** Runs one attempt; `avoid` lists the places earlier attempts were lost on. */
  attempt: (task: BatchTask, attempt: number, avoid: string[]) => Promise<TaskAttempt>
  /** Records a finished task (result.json, results.jsonl). */
  finish: (record: TaskRecord, attempt: TaskAttempt) => Promise<void>
  onEvent?: (event: BatchEvent) => void
}

export interface BatchSummary {
  succeeded: number
  failed: number
  /** Tasks not done when the batch stopped (never started, or cancelled): a re-run does them. */
  notDone: number
}

export async function runBatch(options: BatchRunOptions): Promise<BatchSummary> {
  const {control} = options
  const queue = [...options.tasks]
  const summary: BatchSummary = {succeeded: 0, failed: 0, notDone: 0}
  const emit = (event: BatchEvent) => options.onEvent?.(event)
  /** Places where a session was lost: every later attempt keeps off them, not only the retried task's. */
  const lostPlaces = new Set<string>()

  async function runOne(task: BatchTask): Promise<void> {
    const retried: string[] = []
    for (let attempt = 1; ; attempt++) {
      emit({type: 'task_started', task, attempt})
      const outcome = await options.attempt(task, attempt, [...lostPlaces])
      if (outcome.status === 'canceled' || control.cancel.aborted) {
        summary.notDone += 1
        emit({type: 'task_canceled', task})
        return
      }
      const retryable = outcome.lost !== undefined || outcome.engineFailure === true
      if (retryable && attempt <= options.retries && !control.cancel.aborted) {
        const reason = outcome.error ?? outcome.lost ?? 'the sandbox was lost'
        retried.push(reason)
        if (outcome.node) lostPlaces.add(outcome.node)
        emit({type: 'task_retry', task, attempt: attempt + 1, reason})
        continue
      }
      const record: TaskRecord = {
        id: task.id,
        status: outcome.status === 'success' || outcome.status === 'max_turns' ? outcome.status : 'failed',
        turns: outcome.turns,
        tokens: {input: outcome.usage.inputTokens, output: outcome.usage.outputTokens},
        duration_ms: outcome.durationMs,
        files_changed: outcome.filesChanged,
        attempts: attempt,
        ...(outcome.node ? {node: outcome.node} : {}),
        ...(outcome.error ? {error: outcome.error} : {}),
        ...(retried.length > 0 ? {retried} : {}),
        ...(outcome.leftOut.length > 0 ? {left_out: outcome.leftOut} : {}),
        ended_at: new Date().toISOString(),
      }
      await options.finish(record, outcome)
      if (record.status === 'success') summary.succeeded += 1
      else summary.failed += 1
      emit({type: 'task_finished', task, record})
      return
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      if (control.stopStarting.aborted || control.cancel.aborted) return
      const task = queue.shift()
      if (!task) return
      await runOne(task)
    }
  }

  const workers = Array.from({length: Math.max(1, Math.min(options.parallel, queue.length))}, () => worker())
  await Promise.all(workers)
  summary.notDone += queue.length
  return summary
}
