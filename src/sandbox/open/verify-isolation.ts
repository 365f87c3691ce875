// Step: the container is checked from outside (inspect) and inside (self-test) before anything runs in it.
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../../config/schema.js'
import {AgentError, ExitCode} from '../../errors.js'
import type {Logger} from '../../logging/logger.js'
import type {SandboxBackend} from '../backend.js'
import {NETWORK_PROBES, inspectProblems, selfTestProblems} from '../lifecycle/isolation-check.js'

export async function verifyIsolation(
  container: Dockerode.Container,
  backend: SandboxBackend,
  settings: SandboxSettings,
  logger: Logger,
): Promise<void> {
  const [info, report] = await Promise.all([
    container.inspect(),
    backend.selftest(settings.network === 'none' ? NETWORK_PROBES : []),
  ])
  const problems = [...inspectProblems(info, settings), ...selfTestProblems(report, settings)]
  if (problems.length > 0) {
    logger.error({problems}, 'sandbox isolation check failed')
    throw new AgentError(`The sandbox is not isolated as configured: ${problems.join('; ')}`, {
      hint: 'Refusing to run; check the Docker engine and runtime, or the sandbox settings',
      exitCode: ExitCode.docker,
    })
  }
}
