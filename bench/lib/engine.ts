// Finds engineer B's sandbox engine (src/sandbox) and opens sessions through it; says why when it is not there yet.
import {existsSync} from 'node:fs'
import path from 'node:path'
import {pino} from 'pino'
import type {ExecResult, SandboxSession} from '../../src/sandbox/types.js'
import {REPO_ROOT, WORK_DIR} from './report.js'

export interface OpenOptions {
  image: string
  /** Keep an idle warm container for this workspace and pick it up next time (--reuse). */
  reuse?: boolean
  /** sandbox.warmPool: take the container from the warm pool (and refill it after). */
  warmPool?: number
}

export interface EngineAdapter {
  open(workspace: string, options: OpenOptions): Promise<SandboxSession>
  /** Whether the engine offers reuse of a warm container. */
  readonly supportsReuse: boolean
  /** Step timings (ms) the engine logged for its most recent fresh open, if it logs them. */
  lastOpenTimings(): Record<string, number> | undefined
  /** Resolves once the warm pool's refill (started by the last open) is done. */
  poolSettled(): Promise<void>
}

export type EngineLookup = {engine: EngineAdapter} | {missing: string}

/** Loads the engine from source (via tsx), so benchmarks always run today's code without a build. */
export async function loadEngine(): Promise<EngineLookup> {
  const entry = path.join(REPO_ROOT, 'src', 'sandbox', 'docker-engine.ts')
  if (!existsSync(entry)) return {missing: 'the sandbox engine (src/sandbox/docker-engine.ts) has not landed yet'}
  const [{DockerSandboxEngine}, {sandboxSettingsSchema}] = await Promise.all([
    import('../../src/sandbox/docker-engine.js'),
    import('../../src/config/schema.js'),
  ])
  // The engine logs each open's step timings at info level; keep the latest.
  let timings: Record<string, number> | undefined
  const logger = pino(
    {level: 'info'},
    {
      write(line: string) {
        const entry = JSON.parse(line) as {
          msg?: string
          timings?: Record<string, number>
          concurrent?: Record<string, number>
        }
        // `concurrent`: steps that ran side by side inside one of the timings (the self-test and the copy).
        if (entry.msg === 'session open' && entry.timings) {
          const inside = Object.entries(entry.concurrent ?? {}).map(([name, ms]) => [`(of which ${name})`, ms])
          timings = {...entry.timings, ...Object.fromEntries(inside)}
        }
      },
    },
  )
  // Session records go under bench/.work, not the user's data dir.
  const engine = new DockerSandboxEngine({stateDir: path.join(WORK_DIR, 'engine-state'), logger})
  const settings = sandboxSettingsSchema.parse({})
  return {
    engine: {
      supportsReuse: true,
      lastOpenTimings: () => timings,
      poolSettled: () => engine.poolSettled(),
      open: (workspace, options) =>
        engine.open(
          workspace,
          {...settings, ...(options.warmPool !== undefined ? {warmPool: options.warmPool} : {})},
          {image: options.image, reuse: options.reuse},
        ),
    },
  }
}

/** Runs a command to completion through the session and throws unless it exits 0. */
export async function execOk(session: SandboxSession, command: string): Promise<ExecResult> {
  const result = await session.exec(command).result
  if (result.exitCode !== 0) {
    throw new Error(`${command} exited ${result.exitCode ?? result.signal}: ${result.error ?? result.stderr.text}`)
  }
  return result
}
