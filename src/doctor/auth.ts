// Doctor check: model credentials are configured, as the auth registry (built-in and plugin providers) sees them.
import type {AuthStatusReport} from '../auth/auth-status.js'
import {AgentError} from '../errors.js'
import type {AuthStatus, AuthStatusProvider, DoctorCheck} from './types.js'

/**
 * Turns the registry's report (the same selection a non-interactive run makes) into the doctor's status. A settings
 * file that does not load is reported here too, as it is what stops a run from finding its provider. The summary of a
 * missing provider already says what to do (the spec's headless message), so no second hint is added.
 */
export function registryAuthStatus(report: () => Promise<AuthStatusReport>): AuthStatusProvider {
  return async (): Promise<AuthStatus> => {
    try {
      const status = await report()
      return {configured: status.configured, description: status.summary}
    } catch (error) {
      const description = error instanceof AgentError ? error.oneLine() : String(error)
      return {configured: false, description, hint: 'correct that file, then run `agent doctor` again'}
    }
  }
}

export const authCheck: DoctorCheck = {
  id: 'auth',
  title: 'Authentication',
  async run(ctx) {
    const status = await ctx.authStatus()
    if (status.configured) return {status: 'ok', summary: status.description}
    const result = {status: 'fail' as const, summary: status.description}
    return status.hint ? {...result, hint: status.hint} : result
  },
}
