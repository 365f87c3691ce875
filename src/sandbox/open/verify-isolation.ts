// Step: the container is checked from outside (inspect) and inside (self-test) before anything runs in it.
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../../config/schema.js'
import {AgentError, ExitCode} from '../../errors.js'
import type {Logger} from '../../logging/logger.js'
import type {SandboxBackend} from '../backend.js'
import {NETWORK_PROBES, inspectProblems, selfTestProblems} from '../lifecycle/isolation-check.js'
import type {RunnerUser} from '../lifecycle/runner-user.js'
import type {SessionNetwork} from '../network/session-network.js'

/**
 * Direct connections the sandbox must fail to make. Only with "none": there they fail at once (no route). On an
 * allow-list network each would wait out its timeout (nobody owns the gateway), and they prove nothing the open does
 * not already check, failing closed: Docker reports the network internal and without a host address
 * (SessionNetwork.problems), the container is on that network only (inspectProblems), and the proxy, on the same
 * network, starts only once nothing answered at the gateway (hostAnswersAt).
 */
function probesFor(settings: SandboxSettings): typeof NETWORK_PROBES {
  return settings.network === 'none' ? NETWORK_PROBES : []
}

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
    backend.selftest(probesFor(settings)),
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
