// A session as a Swarm service of one task: the same hardened container as the Docker engine's, in Swarm's terms.
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../../config/schema.js'
import {AGENT_USER, RUNNER_COMMAND, RUNNER_ROOT_USER, WORKSPACE_DIR} from '../lifecycle/container-spec.js'
import {containerEnv, toDockerEnv} from '../lifecycle/container-env.js'
import {RUNNER_CAPABILITIES, type RunnerUser} from '../lifecycle/runner-user.js'
import {containerName} from '../lifecycle/session-names.js'
import {Labels, ownerLabels} from '../labels.js'

/** The agent's home on Swarm (see the mounts). */
export const SWARM_HOME = '/tmp'

/**
 * Swarm starts the container itself, so the host attaches after the start: the main process waits for one line on
 * stdin (the host sends it once attached) before it starts the runner, whose first words would be lost otherwise.
 */
export const SWARM_RUNNER_COMMAND = ['/bin/sh', '-c', `read -r _ || exit 0; ${RUNNER_COMMAND[2]}`]

export interface ServiceSpecInput {
  sessionId: string
  workspace: string
  image: string
  settings: SandboxSettings
  runnerUser: RunnerUser
  /** The session's internal overlay network. */
  network: string
  /** Node host names a retry keeps off. */
  avoid?: readonly string[]
  hostEnv?: NodeJS.ProcessEnv
  /** The proxy variables, with an allow list. */
  extraEnv?: Record<string, string>
}

export function swarmLabels(input: Pick<ServiceSpecInput, 'sessionId' | 'workspace'>): Record<string, string> {
  return {
    [Labels.managed]: 'true',
    [Labels.sessionId]: input.sessionId,
    [Labels.workspace]: input.workspace,
    [Labels.createdAt]: new Date().toISOString(),
    ...ownerLabels(),
  }
}

export function serviceName(sessionId: string): string {
  return containerName(sessionId)
}

export function networkName(sessionId: string): string {
  return `${containerName(sessionId)}-net`
}

/** An internal overlay network: the task's only network, with no way out of it (no gateway, no other member). */
export function networkSpec(input: Pick<ServiceSpecInput, 'sessionId' | 'workspace'>): Dockerode.NetworkCreateOptions {
  return {
    Name: networkName(input.sessionId),
    Driver: 'overlay',
    Internal: true,
    Attachable: false,
    CheckDuplicate: true,
    Labels: swarmLabels(input),
  }
}

export function serviceSpec(input: ServiceSpecInput): Dockerode.CreateServiceOptions {
  const {settings} = input
  const separate = input.runnerUser === 'separate'
  const labels = swarmLabels(input)
  const constraints = (input.avoid ?? []).map((node) => `node.hostname!=${node}`)
  const spec = {
    Name: serviceName(input.sessionId),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: input.image,
        Command: SWARM_RUNNER_COMMAND,
        User: separate ? RUNNER_ROOT_USER : AGENT_USER,
        Dir: WORKSPACE_DIR,
        Env: toDockerEnv({
          ...containerEnv(settings.env, input.hostEnv),
          HOME: SWARM_HOME,
          SANDBOX_AGENT_WORKSPACE: WORKSPACE_DIR,
          ...input.extraEnv,
        }),
        Labels: labels,
        TTY: false,
        OpenStdin: true,
        ReadOnly: true,
        Init: true,
        StopGracePeriod: 2_000_000_000,
        CapabilityDrop: ['ALL'],
        ...(separate ? {CapabilityAdd: RUNNER_CAPABILITIES.map((cap) => `CAP_${cap}`)} : {}),
        Mounts: [
          // An anonymous volume: made on the task's node, removed with its container.
          {Type: 'volume', Target: WORKSPACE_DIR, ReadOnly: false, VolumeOptions: {Labels: labels}},
          // Swarm's tmpfs takes no owner, mode or exec option on this API: /tmp (sticky, world-writable) is also the
          // agent's home, and it is noexec.
          {Type: 'tmpfs', Target: '/tmp', TmpfsOptions: {SizeBytes: settings.tmpSize}},
        ],
      },
      Resources: {
        Limits: {NanoCPUs: Math.round(settings.cpus * 1e9), MemoryBytes: settings.memory, Pids: settings.pids},
        // What the scheduler keeps free for the session: a quarter of its limits (sessions mostly wait on the model).
        Reservations: {NanoCPUs: Math.round(settings.cpus * 0.25e9), MemoryBytes: Math.round(settings.memory / 4)},
      },
      // A task that ends, or whose node dies, is not started again by Swarm: the batch decides about retries.
      RestartPolicy: {Condition: 'none', MaxAttempts: 0},
      Placement: {Constraints: constraints},
      Networks: [{Target: input.network}],
      LogDriver: {Name: 'none'},
    },
    Mode: {Replicated: {Replicas: 1}},
    EndpointSpec: {Mode: 'dnsrr'},
  }
  return spec as unknown as Dockerode.CreateServiceOptions
}
