// The two sides most benchmarks compare: a container started by hand (the baseline) and a session through the engine.
import {mkdirSync} from 'node:fs'
import path from 'node:path'
import type {SandboxSession} from '../../src/sandbox/types.js'
import {removeContainer, startIdle} from './docker-cli.js'
import {loadEngine, type EngineLookup} from './engine.js'
import {onCleanup} from './harness.js'
import {WORK_DIR} from './report.js'

export interface SideBySide {
  /** The idle container the baseline runs `docker exec` in. */
  id: string
  /** A session on an empty workspace; undefined while the engine is missing (`lookup` says why). */
  session: SandboxSession | undefined
  lookup: EngineLookup
}

/** Starts both sides from `image`; both are removed when the benchmark ends. */
export async function startSideBySide(image: string): Promise<SideBySide> {
  const lookup = await loadEngine()
  const id = await startIdle(image)
  onCleanup(() => removeContainer(id))
  const workspace = path.join(WORK_DIR, 'repos', 'empty')
  mkdirSync(workspace, {recursive: true})
  const session = 'engine' in lookup ? await lookup.engine.open(workspace, {image}) : undefined
  if (session) onCleanup(() => session.close())
  return {id, session, lookup}
}
