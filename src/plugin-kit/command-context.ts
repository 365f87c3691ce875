// What a plugin's own command needs: the settings a run in this folder would use, their files, and a sandbox to open.
import os from 'node:os'
import path from 'node:path'

import {openSandbox} from '../cli/run-wiring.js'
import {loadConfig} from '../config/load-config.js'
import {silentLogger, type Logger} from '../logging/logger.js'
import {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import type {SandboxSession} from '../sandbox/types.js'

export interface CommandContext {
  /** The project folder (the current directory, or `cwd`). */
  projectRoot: string
  /** The two settings files, whether they exist or not. */
  settingsFiles: {user: string; project: string}
  /** The merged settings a run here uses: an untrusted folder's widening keys (mcpServers among them) left out. */
  settings: Record<string, unknown>
  /** The environment after .env loading. */
  env: Readonly<Record<string, string>>
  /** Whether the folder's own settings apply in full (folder trust). */
  projectTrusted: boolean
  /** One line per ignored key of an untrusted folder. */
  notices: readonly string[]
  /** Opens a sandbox of this project as a run does (removed when disposed). */
  openSandbox(signal: AbortSignal): Promise<SandboxSession>
}

export function loadCommandContext(options: {cwd?: string; home?: string; logger?: Logger} = {}): CommandContext {
  const home = options.home ?? os.homedir()
  const config = loadConfig({cwd: options.cwd ?? process.cwd(), home, env: process.env})
  const logger = options.logger ?? silentLogger()
  return {
    projectRoot: config.projectRoot,
    settingsFiles: {
      user: path.join(home, '.qwen', 'settings.json'),
      project: path.join(config.projectRoot, '.qwen', 'settings.json'),
    },
    settings: config.settings as Record<string, unknown>,
    env: config.env,
    projectTrusted: config.trust.project.source !== 'untrusted-folder',
    notices: config.trust.notices,
    openSandbox: (signal) => openSandbox(config, {signal, logger, cleanup: new SessionCleanup(), reuse: false}),
  }
}
