// Doctor check: model credentials are configured. The status comes from an injected provider (see envAuthStatus).
import type {Env} from '../sandbox/docker-client.js'
import type {AuthStatusProvider, DoctorCheck} from './types.js'

/**
 * INJECTION POINT: a stand-in until the auth registry lands. It only looks for OPENAI_API_KEY; the doctor command
 * passes `authStatus` into runDoctor, so wiring the real provider status is a change in src/commands/doctor.ts only.
 */
export function envAuthStatus(env: Env): AuthStatusProvider {
  return async () =>
    env.OPENAI_API_KEY?.trim()
      ? {configured: true, description: 'OPENAI_API_KEY is set'}
      : {
          configured: false,
          description: 'no model credentials: OPENAI_API_KEY is not set',
          hint: 'Set OPENAI_API_KEY (in the environment or a .env file)',
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
