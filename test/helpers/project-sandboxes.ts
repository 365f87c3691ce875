// A test project's sandboxes, found by their workspace label (the project's unique temp path), and their removal.
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

const exec = promisify(execFile)
const WORKSPACE_LABEL = 'dev.sandbox-agent.workspace'

/** Ids of every container (running or not) whose workspace label is this project. */
export async function containersOf(project: string): Promise<string[]> {
  const {stdout} = await exec('docker', ['ps', '-aq', '--filter', `label=${WORKSPACE_LABEL}=${project}`])
  return stdout.split('\n').filter(Boolean)
}

/** Ids of every volume whose workspace label is this project. */
export async function volumesOf(project: string): Promise<string[]> {
  const {stdout} = await exec('docker', ['volume', 'ls', '-q', '--filter', `label=${WORKSPACE_LABEL}=${project}`])
  return stdout.split('\n').filter(Boolean)
}

/** Test cleanup: removes this project's containers and volumes (only ever ours: the label is the temp path). */
export async function removeSandboxesOf(project: string): Promise<void> {
  for (const id of await containersOf(project)) await exec('docker', ['rm', '-f', id]).catch(() => undefined)
  for (const id of await volumesOf(project)) await exec('docker', ['volume', 'rm', '-f', id]).catch(() => undefined)
}
