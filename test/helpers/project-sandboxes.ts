// A test project's sandboxes, found by their workspace label (the project's unique temp path), and their removal.
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {isProcessAlive} from '../../src/sandbox/inventory/owner-status.js'

const exec = promisify(execFile)
const WORKSPACE_LABEL = 'dev.sandbox-agent.workspace'
const OWNER_PID_LABEL = 'dev.sandbox-agent.owner-pid'
/** How long a CLI that was told to stop (its terminal closed, a signal) gets to finish keeping or removing. */
const OWNER_EXIT_TIMEOUT_MS = 30_000

async function idsOf(kind: 'container' | 'volume' | 'network', project: string): Promise<string[]> {
  const args = kind === 'container' ? ['ps', '-aq'] : [kind, 'ls', '-q']
  const {stdout} = await exec('docker', [...args, '--filter', `label=${WORKSPACE_LABEL}=${project}`])
  return stdout.split('\n').filter(Boolean)
}

/** Ids of every container (running or not) whose workspace label is this project. */
export function containersOf(project: string): Promise<string[]> {
  return idsOf('container', project)
}

/** Ids of every volume whose workspace label is this project. */
export function volumesOf(project: string): Promise<string[]> {
  return idsOf('volume', project)
}

/** Ids of every network (a session's internal network) whose workspace label is this project. */
export function networksOf(project: string): Promise<string[]> {
  return idsOf('network', project)
}

/** Everything of this project's sandboxes still on the daemon, as `kind id` lines (empty when all is gone). */
export async function leftoversOf(project: string): Promise<string[]> {
  const kinds = ['container', 'volume', 'network'] as const
  const lists = await Promise.all(kinds.map(async (kind) => (await idsOf(kind, project)).map((id) => `${kind} ${id}`)))
  return lists.flat()
}

/**
 * Waits (bounded) until the CLI processes that own this project's containers have exited. A CLI whose terminal was
 * just closed is still keeping its session (stopping the container, then renaming it); removing things under it
 * races with that, and whatever it makes afterwards is left behind.
 */
export async function waitForOwnersToExit(project: string, timeoutMs = OWNER_EXIT_TIMEOUT_MS): Promise<void> {
  const ids = await containersOf(project)
  if (ids.length === 0) return
  const {stdout} = await exec('docker', [
    'inspect',
    '--format',
    `{{index .Config.Labels "${OWNER_PID_LABEL}"}}`,
    ...ids,
  ])
  const owners = [...new Set(stdout.split('\n').map(Number))].filter((pid) => Number.isInteger(pid) && pid > 0)
  const deadline = Date.now() + timeoutMs
  while (owners.some((pid) => pid !== process.pid && isProcessAlive(pid)) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100))
}

/**
 * Test cleanup: once their owners are gone, removes this project's containers (sessions and network proxies), then
 * its volumes and networks (only ever ours: the label is the temp path). A chat killed by its terminal keeps its
 * session, network included, so removing the containers alone leaves the rest behind.
 */
export async function removeSandboxesOf(project: string): Promise<void> {
  await waitForOwnersToExit(project).catch(() => undefined)
  for (const id of await containersOf(project)) await exec('docker', ['rm', '-f', id]).catch(() => undefined)
  for (const id of await volumesOf(project)) await exec('docker', ['volume', 'rm', '-f', id]).catch(() => undefined)
  for (const id of await networksOf(project)) await exec('docker', ['network', 'rm', id]).catch(() => undefined)
}
