// Calls a plugin's agent:tools or agent:auth hook from a unit test, the way the CLI does, without `this` typing errors.
import os from 'node:os'
import type {Config, Hook} from '@oclif/core'

import type {ToolDefinition} from '../tools/types.js'
import type {AuthProvider} from './auth-provider.js'
import type {ToolSource} from '../tools/tool-source.js'
import type {AuthHook, AuthHookOptions, ToolSourcesHook, ToolsHook, ToolsHookOptions} from './hooks.js'

/** The `this` of a hook outside the CLI: logging goes to the console, `error` and `exit` throw. */
const testContext: Hook.Context = {
  config: {} as Config,
  debug: () => {},
  error(input: Error | string): never {
    throw input instanceof Error ? input : new Error(input)
  },
  exit(code = 0): never {
    throw new Error(`hook exited with ${code}`)
  },
  log: (message?: unknown) => console.log(message),
  warn: (input: Error | string) => console.warn(input),
}

/**
 * Runs `hook` with the options the CLI would pass (`settings` defaults to `{}`, `home` to the user's home). The oclif
 * `config` is an empty stand-in: a hook that needs the real one belongs in an integration test.
 */
export function callHook(hook: ToolsHook, options?: Partial<ToolsHookOptions>): Promise<ToolDefinition<unknown>[]>
export function callHook(hook: AuthHook, options?: Partial<AuthHookOptions>): Promise<AuthProvider[]>
export function callHook(hook: ToolSourcesHook, options?: Partial<ToolsHookOptions>): Promise<ToolSource[]>
export async function callHook(
  hook: ToolsHook | AuthHook | ToolSourcesHook,
  options: Partial<ToolsHookOptions & AuthHookOptions> = {},
): Promise<unknown> {
  const full = {settings: {}, home: os.homedir(), ...options, config: testContext.config, context: testContext}
  return (hook as AuthHook).call(testContext, full)
}
