// `agent batch` behind its flags: the tasks, one engine, one shared model client, the scheduler and the --out folder.
import os from 'node:os'

import type {Config as OclifConfig} from '@oclif/core'

import {shareModelClient} from '../agent/shared-model-client.js'
import {DEFAULT_MAX_TURNS} from '../cli/session-flags.js'
import {
  assertProjectDirectory,
  loadContributions,
  loadSessionConfig,
  resolveModelClient,
  type SessionFlags,
} from '../cli/run-wiring.js'
import type {AgentConfig} from '../config/index.js'
import {ExitCode} from '../errors.js'
import type {Logger} from '../logging/logger.js'
import {createSandboxEngine, type EngineKind} from '../sandbox/create-engine.js'
import {BatchInterrupts} from './batch-interrupts.js'
import {BatchOutput} from './batch-output.js'
import {createBatchProgress} from './batch-progress.js'
import {runBatch} from './batch-runner.js'
import {runBatchTask} from './run-batch-task.js'
import {readTaskFile} from './task-file.js'

export interface BatchFlags extends SessionFlags {
  out: string
  parallel?: number | undefined
  'model-concurrency'?: number | undefined
  retries: number
  engine: EngineKind
  registry?: string | undefined
}

export async function runBatchCommand(input: {
  file: string
  flags: BatchFlags
  oclif: OclifConfig
  logger: Logger
  /**
   * Sees the batch's own config (from --cwd), as `agent run` does: its `.qwen/.env` may turn on debug logging. A
   * task's project never does: the log is the whole batch's, and tasks' settings never reach the model client either.
   */
  onConfig?: (config: AgentConfig) => void
}): Promise<number> {
  const {flags, oclif, logger} = input
  const tasks = await readTaskFile(input.file)
  const cwd = flags.cwd ?? process.cwd()
  await assertProjectDirectory(cwd)
  const config = loadSessionConfig(flags)
  input.onConfig?.(config)
  const out = await BatchOutput.open(flags.out)
  const stderr = process.stderr
  const say = (line: string) => stderr.write(`${line}\n`)
  const interrupts = new BatchInterrupts((line) => progress?.note(line) ?? say(line))
  let progress: ReturnType<typeof createBatchProgress> | undefined
  try {
    const done = await out.done()
    const todo = tasks.filter((task) => !done.has(task.id))
    if (done.size > 0)
      say(`${done.size} of ${tasks.length} tasks already done in ${out.dir}; running the other ${todo.length}`)
    const registry = flags.registry ?? process.env.SANDBOX_AGENT_REGISTRY
    const engine = createSandboxEngine({
      kind: flags.engine,
      ...(registry ? {registry} : {}),
      logger,
      cleanup: interrupts.cleanup,
      hostEnv: {...config.env},
    })
    // What would fail every task (no image, no registry, an unreachable engine) stops the batch here, in one line.
    await engine.check(config.sandbox)
    const parallel = flags.parallel ?? (await engine.capacity(config.sandbox))
    const {tools, auth} = await loadContributions(oclif, config)
    const inner = await resolveModelClient(auth, config, {
      logger,
      interactive: false,
      signal: interrupts.control.cancel,
    })
    const model = shareModelClient(inner, {
      concurrency: flags['model-concurrency'] ?? parallel,
      onPause: (ms, reason) =>
        progress?.note(`model: ${reason}; every task waits ${(ms / 1000).toFixed(1)}s before its next request`),
    })
    progress = createBatchProgress(stderr, {total: tasks.length, alreadyDone: done.size})
    say(`agent batch: ${todo.length} tasks, ${parallel} at a time on the ${flags.engine} engine, output in ${out.dir}`)
    const summary = await runBatch({
      tasks: todo,
      parallel,
      retries: flags.retries,
      control: interrupts.control,
      onEvent: (event) => progress?.handle(event),
      attempt: async (task, _attempt, avoid) =>
        runBatchTask(
          task,
          await out.startTask(task.id),
          {
            engine,
            model,
            // A batch never acts on the host: tools that would (save_memory) are not offered.
            tools: (settings) =>
              tools
                .enabled(settings)
                .map((tool) => tool.definition)
                .filter((tool) => tool.actsOn !== 'host'),
            flags: config.flags,
            home: os.homedir(),
            env: process.env,
            agentVersion: oclif.version,
            logger,
            defaultMaxTurns: DEFAULT_MAX_TURNS,
          },
          {signal: interrupts.control.cancel, ...(avoid.length > 0 ? {placement: {avoid}} : {})},
        ),
      finish: (record, attempt) => out.finishTask(record, attempt.result),
    })
    progress.finish()
    progress = undefined
    const notDone = summary.notDone > 0 ? `, ${summary.notDone} not done (run again with the same --out)` : ''
    say(
      `Done: ${summary.succeeded} succeeded, ${summary.failed} failed${notDone}. Results: ${out.dir}/results.jsonl; ` +
        'patches: <task>/changes.patch (git apply), never applied here',
    )
    if (interrupts.interrupted) return ExitCode.interrupted
    return summary.failed > 0 ? ExitCode.failure : ExitCode.ok
  } finally {
    progress?.finish()
    interrupts.dispose()
    await out.close()
  }
}
