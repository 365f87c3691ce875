// Step: the container is checked from outside (inspect) and inside (self-test) before anything runs in it.
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../../config/schema.js'
import {AgentError, ExitCode} from '../../errors.js'
import type {Logger} from '../../logging/logger.js'
import type {SandboxBackend} from '../backend.js'
import {NETWORK_PROBES, inspectProblems, selfTestProblems} from '../lifecycle/isolation-check.js'
import type {RunnerUser} from '../lifecycle/runner-user.js'
import type {SessionNetwork} from '../network/session-network.js'

export async function verifyIsolation(
  container: Dockerode.Container,
  backend: SandboxBackend,
  settings: SandboxSettings,
  logger: Logger,
  runnerUser: RunnerUser = 'agent',
  network?: SessionNetwork,
): Promise<void> {
  const [info, report, networkProblems = []] = await Promise.all([
    container.inspect(),
    backend.selftest(settings.network !== 'bridge' ? NETWORK_PROBES : []),
    network?.problems(),
  ])
  // Without a runner (docker exec), every process is the agent's anyway: nothing runs apart from it.
  const expected = backend.kind === 'runner' ? runnerUser : 'agent'
  const problems = [
    ...inspectProblems(info, settings, runnerUser, network?.name),
    ...selfTestProblems(report, settings, expected),
    ...networkProblems,
  ]
  if (problems.length > 0) {
    logger.error({problems}, 'sandbox isolation check failed')
    throw new AgentError(`The sandbox is not isolated as configured: ${problems.join('; ')}`, {
      hint: 'Refusing to run; check the Docker engine and runtime, or the sandbox settings',
      exitCode: ExitCode.docker,
    })
  }
}
