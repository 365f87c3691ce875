// Structural checks of a contributed auth provider, shared by defineAuthProvider and the host's loader.
import {z} from 'zod'

import {describeIssue} from './validate-tool.js'

export const AUTH_PROVIDER_ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/

const fn = (name: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', `${name} must be a function`)

export const authProviderSchema = z.looseObject({
  id: z.string().regex(AUTH_PROVIDER_ID_PATTERN, 'id must be lowercase letters, digits and dashes (at most 40)'),
  describe: fn('describe'),
  isConfigured: fn('isConfigured'),
  status: fn('status').optional(),
  login: fn('login').optional(),
  logout: fn('logout').optional(),
  client: fn('client'),
})

/** The first thing wrong with a would-be provider, or undefined when it is one. */
export function authProviderProblem(value: unknown): string | undefined {
  const parsed = authProviderSchema.safeParse(value)
  return parsed.success ? undefined : describeIssue(parsed.error.issues[0])
}
