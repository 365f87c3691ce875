// Qwen Code, the unsandboxed reference agent: installed outside the project's package.json, with its own quiet home.
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {run} from './proc.js'
import {WORK_DIR} from './report.js'

export const QWEN_VERSION = '0.24.4'
const PREFIX = path.join(WORK_DIR, 'qwen')
export const QWEN_BIN = path.join(PREFIX, 'node_modules', '@qwen-code', 'qwen-code', 'cli-entry.js')
export const QWEN_HOME = path.join(WORK_DIR, 'qwen-home')

/** Installs @qwen-code/qwen-code into bench/.work/qwen once (cached); returns a reason when it cannot. */
export async function ensureQwen(): Promise<string | undefined> {
  if (!existsSync(QWEN_BIN)) {
    mkdirSync(PREFIX, {recursive: true})
    const result = await run(
      'npm',
      ['install', '--prefix', PREFIX, '--no-audit', '--no-fund', `@qwen-code/qwen-code@${QWEN_VERSION}`],
      {
        timeoutMs: 300_000,
      },
    )
    if (result.code !== 0 || !existsSync(QWEN_BIN))
      return `npm install failed: ${result.stderr.trim().split('\n').pop()}`
  }
  // A home of its own: no user settings, no telemetry, no update checks (the bench talks only to loopback).
  mkdirSync(path.join(QWEN_HOME, '.qwen'), {recursive: true})
  writeFileSync(
    path.join(QWEN_HOME, '.qwen', 'settings.json'),
    JSON.stringify(
      {
        telemetry: {enabled: false},
        privacy: {usageStatisticsEnabled: false},
        general: {disableAutoUpdate: true, disableUpdateNag: true},
        ui: {hideTips: true},
      },
      null,
      2,
    ),
  )
  return undefined
}

export function qwenEnv(baseUrl: string, model: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: QWEN_HOME,
    OPENAI_BASE_URL: baseUrl,
    OPENAI_API_KEY: 'dummy',
    OPENAI_MODEL: model,
    QWEN_CODE_SUPPRESS_YOLO_WARNING: '1',
    NO_COLOR: '1',
  }
}
