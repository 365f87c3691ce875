// Shared pieces of the sandbox integration tests: settings, temporary projects, an engine with a private state dir.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {sandboxSettingsSchema, type SandboxSettings} from '../../../src/config/schema.js'
import {DockerSandboxEngine, type EngineOptions} from '../../../src/sandbox/docker-engine.js'
import {testImage} from './test-image.js'

export function settings(overrides: Record<string, unknown> = {}): SandboxSettings {
  return sandboxSettingsSchema.parse({image: testImage(), memory: '512m', cpus: 1, ...overrides})
}

/** A temporary project directory with the given files (string or Buffer contents). */
export function makeProject(files: Record<string, string | Buffer> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-project-'))
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), {recursive: true})
    fs.writeFileSync(path.join(dir, rel), content)
  }
  return fs.realpathSync(dir)
}

export function makeEngine(options: EngineOptions = {}): DockerSandboxEngine {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'))
  return new DockerSandboxEngine({stateDir, ...options})
}
