// A throwaway project and home for SDK/ACP tests, the scripted model, and cleanup of the sandboxes a test kept.
import {execFile} from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {startScriptedModel, type ScriptEntry, type ScriptedModelServer} from '../../fixtures/scripted-model/index.js'
import {CLI, cliEnv} from '../../e2e/helpers/run-cli.js'

const exec = promisify(execFile)

export interface SdkProject extends AsyncDisposable {
  dir: string
  home: string
  server: ScriptedModelServer
  /** The environment for the CLI (no undefined values: the SDKs take Record<string, string>). */
  env: Record<string, string>
  /** Sandboxes to discard at the end (kept ones). */
  keep(sandboxId: string): void
}

export async function sdkProject(steps: ScriptEntry[], files: Record<string, string> = {}): Promise<SdkProject> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sa-protocols-'))
  const dir = path.join(root, 'project')
  const home = path.join(root, 'home')
  await fs.mkdir(dir)
  await fs.mkdir(home)
  for (const [name, text] of Object.entries({'README.md': '# demo\n', ...files}))
    await fs.writeFile(path.join(dir, name), text)
  const server = await startScriptedModel({steps})
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(cliEnv(home, server.url))) if (value !== undefined) env[name] = value
  if (process.env.SANDBOX_AGENT_IMAGE) env.SANDBOX_AGENT_IMAGE = process.env.SANDBOX_AGENT_IMAGE
  const kept = new Set<string>()
  return {
    dir,
    home,
    server,
    env,
    keep: (id) => kept.add(id),
    async [Symbol.asyncDispose]() {
      for (const id of kept) await exec(process.execPath, [CLI, 'discard', id], {env}).catch(() => undefined)
      await server.close()
      await fs.rm(root, {recursive: true, force: true})
    },
  }
}

export const shellCall = (id: string, command: string) => ({
  id,
  name: 'run_shell_command',
  arguments: {command, description: command, is_background: false},
})

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
