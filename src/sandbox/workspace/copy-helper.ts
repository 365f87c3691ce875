// --mount mode without showing the project to the session: a short-lived helper container binds the project read-only,
// copies the listed (not excluded) paths into the session's volume, and is removed before anything runs in the session.
import type {Duplex} from 'node:stream'
import {PassThrough} from 'node:stream'
import type Dockerode from 'dockerode'

import {Labels, LABEL_PREFIX} from '../labels.js'
import {AGENT_USER, MOUNT_LOWER_DIR, WORKSPACE_DIR} from '../lifecycle/container-spec.js'

/** Marks the helper (it is not a session: inventory and prune go by the session labels it does not carry). */
export const HELPER_ROLE_LABEL = `${LABEL_PREFIX}.role`

export interface CopyHelperRequest {
  docker: Dockerode
  image: string
  /** Real path of the project on the host (bound read-only into the helper only). */
  source: string
  /** The session's workspace volume. */
  volume: string
  /** Project-relative paths to copy (parents first): what the exclusions leave. */
  paths: readonly string[]
  signal?: AbortSignal
}

/** Copies `paths` from the project into the volume as the agent user; rejects with tar's complaint when it fails. */
export async function copyThroughHelper(request: CopyHelperRequest): Promise<void> {
  const {docker} = request
  const container = await docker.createContainer({
    Image: request.image,
    Entrypoint: [],
    Cmd: [
      '/bin/bash',
      '-c',
      'set -o pipefail; tar -C "$0" --null --no-recursion -T - -cf - | tar -C "$1" -xpf -',
      MOUNT_LOWER_DIR,
      WORKSPACE_DIR,
    ],
    User: AGENT_USER,
    WorkingDir: WORKSPACE_DIR,
    Labels: {[Labels.workspace]: request.source, [HELPER_ROLE_LABEL]: 'copy-helper'},
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Init: true,
      PidsLimit: 64,
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      LogConfig: {Type: 'none', Config: {}},
      Mounts: [
        {Type: 'bind', Source: request.source, Target: MOUNT_LOWER_DIR, ReadOnly: true},
        {Type: 'volume', Source: request.volume, Target: WORKSPACE_DIR, ReadOnly: false},
      ],
    },
  })
  const onAbort = (): void => void container.remove({force: true}).catch(() => undefined)
  request.signal?.addEventListener('abort', onAbort, {once: true})
  try {
    const stream = (await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as Duplex
    let stderr = ''
    const sink = new PassThrough()
    sink.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)))
    docker.modem.demuxStream(stream, new PassThrough().resume(), sink)
    const exited = container.wait()
    await container.start()
    stream.end(Buffer.from(request.paths.map((p) => `${p}\0`).join('')))
    const {StatusCode: status} = (await exited) as {StatusCode: number}
    stream.destroy()
    if (status !== 0) throw new Error(stderr.trim().split('\n').pop() || `the copy exited with ${status}`)
  } finally {
    request.signal?.removeEventListener('abort', onAbort)
    await container.remove({force: true}).catch(() => undefined)
  }
}
