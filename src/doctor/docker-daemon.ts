// Doctor check: the Docker daemon answers, which one it is (DOCKER_HOST, docker context or local socket) and its version.
import {isAgentError} from '../errors.js'
import {endpointLabel} from '../sandbox/docker-client.js'
import type {DoctorCheck} from './types.js'

export const dockerDaemonCheck: DoctorCheck = {
  id: 'docker',
  title: 'Docker daemon',
  async run(ctx) {
    try {
      const {endpoint, daemon} = await ctx.docker()
      return {
        status: 'ok',
        summary: `Docker ${daemon.version} (API ${daemon.apiVersion}, ${daemon.os}/${daemon.arch}) at ${endpointLabel(endpoint)}`,
      }
    } catch (error) {
      if (!isAgentError(error)) throw error
      const result = {status: 'fail' as const, summary: error.message}
      return error.hint ? {...result, hint: error.hint} : result
    }
  },
}
