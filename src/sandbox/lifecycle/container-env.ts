// The container's environment: nothing from the host unless sandbox.env names it; the model API key never crosses.
import type {SandboxSettings} from '../../config/schema.js'

export const CONTAINER_HOME = '/home/agent'
export const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** Variables every sandbox gets. QWEN_CODE=1 lets scripts tell they run under the agent (shell spec). */
export function baseEnv(): Record<string, string> {
  return {PATH: CONTAINER_PATH, HOME: CONTAINER_HOME, LANG: 'C.UTF-8', QWEN_CODE: '1', PAGER: 'cat', GIT_PAGER: 'cat'}
}

/**
 * Resolves `sandbox.env`: names take their value from the host (skipped when unset there), pairs are used as given.
 * The base variables win over nothing: a setting may override PATH or HOME on purpose.
 */
export function containerEnv(
  setting: SandboxSettings['env'],
  hostEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env = baseEnv()
  if (Array.isArray(setting)) {
    for (const name of setting) {
      const value = hostEnv[name]
      if (value !== undefined) env[name] = value
    }
  } else {
    Object.assign(env, setting)
  }
  return env
}

export function toDockerEnv(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => `${name}=${value}`)
}
