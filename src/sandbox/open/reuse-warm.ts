// Step (with --reuse): claim a warm idle container of this project with the same image and settings, and refresh it.
import type {SandboxSettings} from '../../config/schema.js'
import {dockerFailure} from '../docker-connection.js'
import type {DockerSandboxSession} from '../docker-session.js'
import {configHash} from '../lifecycle/container-spec.js'
import {listSandboxContainers, removeSandboxContainer} from '../lifecycle/orphans.js'
import type {RunnerUser} from '../lifecycle/runner-user.js'
import {SessionLabels, containerName, volumeName} from '../lifecycle/session-names.js'
import {reopenNetworkStep} from '../network/network-step.js'
import {loadIgnoreRules} from '../workspace/ignore-rules.js'
import {attachRunner, connectBackend} from './connect-runner.js'
import {copyWorkspace} from './copy-workspace.js'
import type {EngineContext} from './engine-context.js'
import {newDockerSession} from './new-session.js'
import {StepTimer} from './step-timer.js'
import {verifyIsolation} from './verify-isolation.js'

export interface ReuseRequest {
  hostWorkspace: string
  image: string
  settings: SandboxSettings
  keep: boolean
  runnerUser: RunnerUser
}

/** The reused session, or undefined when no warm container fits (one that fails on the way is removed). */
export async function reuseWarmContainer(
  context: EngineContext,
  {hostWorkspace, image, settings, keep, runnerUser}: ReuseRequest,
): Promise<DockerSandboxSession | undefined> {
  const {docker, logger, store} = context
  const timer = new StepTimer()
  const hash = configHash(image, settings)
  const all = await listSandboxContainers(docker).catch((error: unknown) => {
    throw dockerFailure(error, 'list sandbox containers')
  })
  timer.step('list')
  const candidates = all.filter(
    (info) => info.session.kind === 'idle' && info.workspace === hostWorkspace && info.dockerState === 'running',
  )
  for (const info of candidates) {
    const container = docker.getContainer(info.containerId)
    try {
      const inspected = await container.inspect()
      if (inspected.Config.Labels?.[SessionLabels.configHash] !== hash) continue
      // Only a runner apart from the agent can clear every trace of the last run (reset in runner.js): as clean as a
      // fresh container, or not reused at all.
      if (inspected.Config.Labels?.[SessionLabels.runnerUser] !== 'separate' || runnerUser !== 'separate') {
        logger.info({session: info.sessionId}, 'warm container cannot be reset to clean; removing it')
        await removeSandboxContainer(docker, info).catch(() => undefined)
        continue
      }
      timer.step('inspect')
      // Claim it: the rename fails if another process claimed it first.
      await container.rename({name: containerName(info.sessionId, {kind: 'active', ownerPid: process.pid})})
      timer.step('claim')
      const client = await attachRunner(container, logger.child({session: info.sessionId}))
      const backend = await connectBackend(container, client, logger, runnerUser)
      if (backend.kind !== 'runner') throw new Error('no runner to reset the warm container with')
      timer.step('runner')
      const incremental = !settings.mount && backend.upload !== undefined && backend.remove !== undefined
      await backend.reset({keepWorkspace: incremental})
      timer.step('reset')
      const isIgnored = await loadIgnoreRules(hostWorkspace, settings.exclude)
      const helper = {docker, image, volume: info.volume ?? volumeName(info.sessionId)}
      const target = {container, backend, root: hostWorkspace, isIgnored, helper}
      const network = await reopenNetworkStep(
        docker,
        {sessionId: info.sessionId, workspace: hostWorkspace, image, settings, hostEnv: context.hostEnv},
        logger,
      )
      timer.step('network')
      const [, manifest] = await Promise.all([
        timer.timed('selftest', () => verifyIsolation(container, backend, settings, logger, runnerUser, network)),
        timer.timed('copy', () =>
          copyWorkspace(target, settings.mount ? 'mount' : incremental ? 'refresh' : 'archive'),
        ),
      ])
      timer.step('selftest+copy')
      await store.save({
        id: info.sessionId,
        workspace: hostWorkspace,
        image,
        settings,
        createdAt: new Date().toISOString(),
        manifest,
      })
      timer.step('record')
      logger.info(
        {session: info.sessionId, timings: timer.timings, concurrent: timer.concurrent},
        'reusing a warm container',
      )
      return newDockerSession(context, {
        id: info.sessionId,
        hostWorkspace,
        image,
        settings,
        container,
        volume: info.volume ?? volumeName(info.sessionId),
        backend,
        manifest,
        ...(network ? {network} : {}),
        onExit: keep ? 'keep' : 'idle',
      })
    } catch (error) {
      logger.warn({err: error, session: info.sessionId}, 'could not reuse warm container; removing it')
      await removeSandboxContainer(docker, info).catch(() => undefined)
    }
  }
  return undefined
}
