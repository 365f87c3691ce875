// The hand-done baseline: the Docker CLI as a user would drive it, with every container labelled and removed by id.
import {run, runOk} from './proc.js'

export const MANAGED_LABEL = 'dev.sandbox-agent.managed=true'
export const BENCH_LABEL = 'dev.sandbox-agent.bench=true'
export const SANDBOX_IMAGE = 'sandbox-agent/sandbox:0.1.0'

const created = new Set<string>()

export async function imageExists(image: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image])).code === 0
}

/** The image both sides use: $BENCH_IMAGE, else the real sandbox image (build it first; nothing is pulled). */
export async function benchImage(): Promise<string> {
  const wanted = process.env.BENCH_IMAGE ?? SANDBOX_IMAGE
  if (!(await imageExists(wanted))) throw new Error(`${wanted} is missing: run './bin/run.js sandbox build' first`)
  return wanted
}

/** `docker create` of a container that idles until removed; returns its id. */
export async function createIdle(image: string, extra: readonly string[] = []): Promise<string> {
  const {stdout} = await runOk('docker', [
    'create',
    '--label',
    MANAGED_LABEL,
    '--label',
    BENCH_LABEL,
    '--network',
    'none',
    '--init',
    ...extra,
    image,
    'sleep',
    'infinity',
  ])
  const id = stdout.trim()
  created.add(id)
  return id
}

export async function removeContainer(id: string): Promise<void> {
  await run('docker', ['rm', '-f', '-v', id])
  created.delete(id)
}

/** Removes every container this process created and has not removed yet (by id). */
export async function removeAllCreated(): Promise<void> {
  await Promise.all([...created].map((id) => removeContainer(id)))
}

/**
 * Removes containers the engine made for the benchmarks' own workspaces (its workspace label points under
 * bench/.work), e.g. after Ctrl-C during an open. Never touches anything else.
 */
export async function removeEngineLeftovers(workDir: string): Promise<string[]> {
  const listed = await run('docker', [
    'ps',
    '-a',
    '--filter',
    `label=${MANAGED_LABEL}`,
    '--format',
    '{{.ID}}\t{{.Label "dev.sandbox-agent.workspace"}}',
  ])
  const ids = listed.stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([id, workspace]) => id && workspace && workspace.startsWith(workDir + '/'))
    .map(([id]) => id as string)
  for (const id of ids) await removeContainer(id)
  const volumes = await run('docker', [
    'volume',
    'ls',
    '--filter',
    `label=${MANAGED_LABEL}`,
    '--format',
    '{{.Name}}\t{{.Label "dev.sandbox-agent.workspace"}}',
  ])
  for (const [name, workspace] of volumes.stdout.split('\n').map((line) => line.split('\t'))) {
    if (name && workspace && workspace.startsWith(workDir + '/')) await run('docker', ['volume', 'rm', '-f', name])
  }
  return ids
}

/** A started idle container, ready for `docker exec`. */
export async function startIdle(image: string): Promise<string> {
  const id = await createIdle(image)
  await runOk('docker', ['start', id])
  return id
}

export async function dockerExec(id: string, command: readonly string[]): Promise<number> {
  const result = await runOk('docker', ['exec', id, ...command])
  return result.ms
}
