// Containers that serve a session (the --mount copy, the network proxy): one locked-down definition, attached before start.
import type {Duplex} from 'node:stream'
import type Dockerode from 'dockerode'

import {Labels} from '../labels.js'
import {AGENT_USER} from './container-spec.js'

export interface HelperContainerSpec {
  image: string
  /** What it is for, in the role label (inventory and prune go by the session labels, which a helper may lack). */
  role: string
  labels?: Record<string, string>
  cmd: string[]
  name?: string
  env?: string[]
  workingDir?: string
  /** No network at all, or the one network it joins, under these aliases. */
  network: 'none' | {name: string; aliases: string[]}
  mounts?: Dockerode.MountSettings[]
  /** Memory and memory plus swap: the helper never swaps. */
  memoryBytes: number
  nanoCpus?: number
  /** Run the command under an init process that reaps what it leaves. */
  init?: boolean
}

/**
 * Creates a helper from the sandbox image: its command as the agent user with every capability dropped, no new
 * privileges, a read-only root, 64 processes, no logs, and stdin open for one attach (it closes when the CLI goes).
 */
export function createHelperContainer(docker: Dockerode, spec: HelperContainerSpec): Promise<Dockerode.Container> {
  const network = spec.network
  return docker.createContainer({
    ...(spec.name ? {name: spec.name} : {}),
    Image: spec.image,
    Entrypoint: [],
    Cmd: spec.cmd,
    User: AGENT_USER,
    ...(spec.env ? {Env: spec.env} : {}),
    ...(spec.workingDir ? {WorkingDir: spec.workingDir} : {}),
    Labels: {...spec.labels, [Labels.role]: spec.role},
    Tty: false,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    ...(network === 'none'
      ? {NetworkDisabled: true}
      : {NetworkingConfig: {EndpointsConfig: {[network.name]: {Aliases: network.aliases}}}}),
    HostConfig: {
      NetworkMode: network === 'none' ? 'none' : network.name,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      ...(spec.init ? {Init: true} : {}),
      PidsLimit: 64,
      Memory: spec.memoryBytes,
      MemorySwap: spec.memoryBytes,
      ...(spec.nanoCpus ? {NanoCpus: spec.nanoCpus} : {}),
      LogConfig: {Type: 'none', Config: {}},
      AutoRemove: false,
      ...(spec.mounts ? {Mounts: spec.mounts} : {}),
    },
  })
}

/** The main process's stdin, stdout and stderr as one hijacked stream; attached before start, nothing is missed. */
export async function attachMainProcess(container: Dockerode.Container): Promise<Duplex> {
  return (await container.attach({stream: true, stdin: true, stdout: true, stderr: true, hijack: true})) as Duplex
}
