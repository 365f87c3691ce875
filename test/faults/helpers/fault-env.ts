// What every fault test needs: the scripted model, a private HOME, throwaway projects, the built CLI, and cleanup.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {startScriptedModel, type ScriptStep, type ScriptedModelServer} from '../../fixtures/scripted-model/index.js'
import {assertBuilt, CLI, cliEnv, type CliResult, runCli, type RunCliOptions} from '../../e2e/helpers/run-cli.js'

export const exec = promisify(execFile)
export {CLI, type CliResult}

/** A run_shell_command call as the model sends it. */
export function shell(
  id: string,
  command: string,
  extra: Record<string, unknown> = {},
): NonNullable<ScriptStep['toolCalls']>[number] {
  return {
    id,
    name: 'run_shell_command',
    arguments: {command, description: 'fault test', is_background: false, ...extra},
  }
}

/** The id of this run's session, from its `session <id> · <model> · ...` line (not from other lines naming sessions). */
export function sessionIdOf(stderr: string): string {
  const id = /^session ([0-9a-f]{12}) · /m.exec(stderr)?.[1]
  if (!id) throw new Error(`no session id in:\n${stderr}`)
  return id
}

/**
 * What the CLI printed on stderr, without the start-up "Note: ... left behind by an agent process that is gone" line:
 * other test files running at the same time may leave such sandboxes for a moment.
 */
export function stderrLines(stderr: string): string[] {
  return stderr
    .trimEnd()
    .split('\n')
    .filter((line) => !/^Note: \d+ sandbox containers? (was|were) left behind/.test(line))
}

/** The lines the CLI's single error handler printed. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('Error:'))
}

/** A stack trace or oclif's multi-line header would show up as one of these. */
export function looksLikeStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text) || /The following errors? occurred/.test(text)
}

export interface FaultEnv extends AsyncDisposable {
  server: ScriptedModelServer
  home: string
  /** A new project directory (realpath) holding these files. */
  project(files?: Record<string, string>): Promise<string>
  /** The built CLI, with a clean environment pointing at the scripted model (and `env` on top). */
  run(
    args: string[],
    options: {cwd: string; env?: Record<string, string>} & Omit<RunCliOptions, 'cwd' | 'env'>,
  ): Promise<CliResult>
  /** Remembers a session to discard at the end (kept sandboxes must not pile up). */
  keptSession(id: string, dockerHost?: string): void
}

export async function createFaultEnv(): Promise<FaultEnv> {
  assertBuilt('run')
  const server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  const home = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-faults-home-')))
  const projects: string[] = []
  const kept = new Map<string, string | undefined>()

  const env = (extra: Record<string, string> = {}) => cliEnv(home, server.url, extra)

  return {
    server,
    home,
    async project(files = {}) {
      const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-faults-project-')))
      projects.push(dir)
      for (const [rel, content] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(dir, rel)), {recursive: true})
        await fs.writeFile(path.join(dir, rel), content)
      }
      return dir
    },
    run(args, options) {
      const {cwd, env: extra, ...rest} = options
      return runCli(args, {cwd, env: env(extra), ...rest})
    },
    keptSession(id, dockerHost) {
      kept.set(id, dockerHost)
    },
    async [Symbol.asyncDispose]() {
      for (const [id, dockerHost] of kept) await discard(id, env(dockerHost ? {DOCKER_HOST: dockerHost} : {}))
      await server.close()
      for (const dir of [home, ...projects]) {
        await exec('chmod', ['-R', 'u+rwx', dir]).catch(() => undefined)
        await fs.rm(dir, {recursive: true, force: true})
      }
    },
  }
}

/** `agent discard`, else the container and volume by the session's name (only what these tests created). */
async function discard(id: string, env: Record<string, string | undefined>): Promise<void> {
  const viaCli = await exec(process.execPath, [CLI, 'discard', id], {env: env as NodeJS.ProcessEnv}).then(
    () => true,
    () => false,
  )
  if (viaCli) return
  const {stdout} = await exec('docker', ['ps', '-aq', '--filter', `label=dev.sandbox-agent.session-id=${id}`]).catch(
    () => ({stdout: ''}),
  )
  for (const container of stdout.split('\n').filter(Boolean))
    await exec('docker', ['rm', '-f', container]).catch(() => undefined)
  await exec('docker', ['volume', 'rm', '-f', `sandbox-agent-${id}-workspace`]).catch(() => undefined)
}

/** Names and states of the containers of one session on the default engine (or `dockerHost`). */
export async function sessionContainers(id: string, dockerHost?: string): Promise<{name: string; state: string}[]> {
  const {stdout} = await exec('docker', [
    ...(dockerHost ? ['-H', dockerHost] : []),
    'ps',
    '-a',
    '--filter',
    `label=dev.sandbox-agent.session-id=${id}`,
    '--format',
    '{{.Names}} {{.State}}',
  ])
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', state = ''] = line.split(' ')
      return {name, state}
    })
}
