// The hardened container definition: every isolation default in one place, each loosened only by an explicit setting.
import crypto from 'node:crypto'
import type Dockerode from 'dockerode'

import type {SandboxSettings} from '../../config/schema.js'
import {UserInputError} from '../../errors.js'
import {Labels, ownerLabels} from '../labels.js'
import {CONTAINER_HOME, containerEnv, toDockerEnv} from './container-env.js'
import {RUNNER_CAPABILITIES, type RunnerUser} from './runner-user.js'
import {SessionLabels, containerName, volumeName} from './session-names.js'

export const WORKSPACE_DIR = '/workspace'
/** Where --mount mode's copy helper binds the host project, read-only (never the session container). */
export const MOUNT_LOWER_DIR = '/mnt/host-workspace'
export const RUNNER_PATH = '/opt/sandbox-agent/runner.js'
export const AGENT_USER = '1000:1000'
/** The container's main process (tini and the runner) when the runner is kept apart from the agent. */
export const RUNNER_ROOT_USER = '0:0'
export const HOME_TMPFS_BYTES = 256 * 1024 * 1024

/** Starts the runner; an image without node or the runner keeps an idle main process and is driven by docker exec. */
export const RUNNER_COMMAND = [
  '/bin/sh',
  '-c',
  `if command -v node >/dev/null 2>&1 && [ -f ${RUNNER_PATH} ]; then exec node ${RUNNER_PATH}; fi; ` +
    `echo "sandbox-agent: no runner in this image, using docker exec" >&2; exec sleep infinity`,
]

export interface ContainerSpecInput {
  sessionId: string
  /** Absolute, real path of the host project. */
  workspace: string
  image: string
  settings: SandboxSettings
  hostEnv?: NodeJS.ProcessEnv
  keep?: boolean
  createdAt?: Date
  /** 'separate' (the image's runner drops commands to the agent) or 'agent' (default: everything as the agent). */
  runnerUser?: RunnerUser
  /** With an allow list: the session's internal network and the proxy variables to set. */
  network?: {name: string; env: Record<string, string>}
}

export function sessionLabels(input: ContainerSpecInput): Record<string, string> {
  return {
    [Labels.managed]: 'true',
    [Labels.sessionId]: input.sessionId,
    [Labels.workspace]: input.workspace,
    [Labels.createdAt]: (input.createdAt ?? new Date()).toISOString(),
    [Labels.kept]: input.keep ? 'true' : 'false',
    [SessionLabels.configHash]: configHash(input.image, input.settings),
    [SessionLabels.workspaceMode]: input.settings.mount ? 'mount' : 'copy',
    [SessionLabels.volume]: volumeName(input.sessionId),
    [SessionLabels.runnerUser]: input.runnerUser ?? 'agent',
    ...ownerLabels(),
  }
}

/** Same image and settings, same hash: the condition for reusing a warm container. */
export function configHash(image: string, settings: SandboxSettings): string {
  const relevant = {
    image,
    ...settings,
    exclude: undefined,
    maxApplyBytes: undefined,
    maxApplyFiles: undefined,
    warmPool: undefined,
  }
  return crypto.createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16)
}

export function volumeSpec(input: ContainerSpecInput): Dockerode.VolumeCreateOptions {
  return {Name: volumeName(input.sessionId), Labels: sessionLabels(input)}
}

export function containerSpec(input: ContainerSpecInput): Dockerode.ContainerCreateOptions {
  const {settings} = input
  const mounts: Dockerode.MountSettings[] = [
    {Type: 'volume', Source: volumeName(input.sessionId), Target: WORKSPACE_DIR, ReadOnly: false},
  ]
  const separate = input.runnerUser === 'separate'
  const networkMode = networkModeFor(input)
  const hostConfig: Dockerode.HostConfig = {
    NetworkMode: networkMode,
    CapDrop: ['ALL'],
    // A separated runner needs these two to start commands as the agent; commands end up with no capability at all.
    ...(separate ? {CapAdd: [...RUNNER_CAPABILITIES]} : {}),
    SecurityOpt: ['no-new-privileges'],
    Privileged: false,
    Init: true,
    PidsLimit: settings.pids,
    Memory: settings.memory,
    // Equal to Memory: no swap on top of the limit.
    MemorySwap: settings.memory,
    NanoCpus: Math.round(settings.cpus * 1e9),
    ReadonlyRootfs: true,
    Tmpfs: {
      '/tmp': `rw,nosuid,nodev,exec,size=${settings.tmpSize}`,
      [CONTAINER_HOME]: `rw,nosuid,nodev,exec,size=${HOME_TMPFS_BYTES},uid=1000,gid=1000,mode=0755`,
    },
    Mounts: mounts,
    // Output travels over the attached stream only; a log driver would copy every byte to the daemon's disk.
    LogConfig: {Type: 'none', Config: {}},
    IpcMode: 'private',
    // Behind the proxy nothing resolves outside names: fail a lookup in a second rather than hang on retries.
    ...(typeof settings.network === 'object' ? {DnsOptions: ['timeout:1', 'attempts:1']} : {}),
    AutoRemove: false,
    ...(settings.runtime ? {Runtime: settings.runtime} : {}),
  }
  return {
    name: containerName(input.sessionId),
    Image: input.image,
    Entrypoint: [],
    Cmd: RUNNER_COMMAND,
    User: separate ? RUNNER_ROOT_USER : AGENT_USER,
    WorkingDir: WORKSPACE_DIR,
    Env: toDockerEnv({
      ...containerEnv(settings.env, input.hostEnv),
      ...input.network?.env,
      SANDBOX_AGENT_WORKSPACE: WORKSPACE_DIR,
    }),
    Labels: sessionLabels(input),
    Tty: false,
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: networkMode === 'none',
    HostConfig: hostConfig,
  }
}

/** Docker's network mode for the session: none, bridge, or the session's internal network (allow list). */
function networkModeFor(input: ContainerSpecInput): string {
  const {network} = input.settings
  if (typeof network === 'string') return network
  if (!input.network) throw new Error('an allow list needs the session network')
  return input.network.name
}

/** The daemon's refusal of a `sandbox.runtime` it does not have, as a one-line user error saying what to do. */
export function unknownRuntimeError(error: unknown, runtime: string | undefined): UserInputError | undefined {
  const message = error instanceof Error ? error.message : String(error)
  if (!runtime || !/unknown runtime/i.test(message)) return undefined
  return new UserInputError(`sandbox.runtime "${runtime}" is not a runtime this Docker daemon knows`, {
    hint:
      'Install it and register it with the daemon (gVisor: `runsc install`, then restart dockerd), or remove ' +
      'sandbox.runtime from settings.json; `docker info` lists the runtimes the daemon has',
  })
}
