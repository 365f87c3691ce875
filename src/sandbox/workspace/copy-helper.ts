// --mount mode without showing the project to the session: a short-lived helper container binds the project read-only,
// copies the listed (not excluded) paths into the session's volume, and is removed before anything runs in the session.
import {PassThrough} from 'node:stream'
import type Dockerode from 'dockerode'

import {Labels} from '../labels.js'
import {MOUNT_LOWER_DIR, WORKSPACE_DIR} from '../lifecycle/container-spec.js'
import {attachMainProcess, createHelperContainer} from '../lifecycle/helper-container.js'

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

/** The helper's exit status when tar extracted another number of entries than it was given. */
const COUNT_MISMATCH = 3

/**
 * The path list comes on stdin; the helper fails unless tar extracted exactly as many entries as were listed (tar -v
 * quotes a newline in a name, so one line per entry): an empty copy is otherwise a successful tar, and an empty
 * workspace would read as every project file deleted.
 */
const COPY_SCRIPT = [
  'set -o pipefail',
  'n=$(tar -C "$0" --null --no-recursion -T - -cf - | tar -C "$1" -xpvf - | wc -l) || exit 1',
  `[ "$n" -eq "$2" ] || { echo "copied $n of $2" >&2; exit ${COUNT_MISMATCH}; }`,
].join('\n')

/** Copies `paths` from the project into the volume as the agent user; rejects with tar's complaint when it fails. */
export async function copyThroughHelper(request: CopyHelperRequest): Promise<void> {
  const {docker} = request
  const container = await createHelperContainer(docker, {
    image: request.image,
    role: 'copy-helper',
    labels: {[Labels.workspace]: request.source},
    cmd: ['/bin/bash', '-c', COPY_SCRIPT, MOUNT_LOWER_DIR, WORKSPACE_DIR, String(request.paths.length)],
    workingDir: WORKSPACE_DIR,
    network: 'none',
    init: true,
    memoryBytes: 512 * 1024 * 1024,
    mounts: [
      {Type: 'bind', Source: request.source, Target: MOUNT_LOWER_DIR, ReadOnly: true},
      {Type: 'volume', Source: request.volume, Target: WORKSPACE_DIR, ReadOnly: false},
    ],
  })
  const onAbort = (): void => void container.remove({force: true}).catch(() => undefined)
  request.signal?.addEventListener('abort', onAbort, {once: true})
  try {
    const stream = await attachMainProcess(container)
    let stderr = ''
    const sink = new PassThrough()
    sink.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)))
    docker.modem.demuxStream(stream, new PassThrough().resume(), sink)
    // Asked before start, a plain wait ("not-running") answers at once for a container not yet started: the helper
    // was then removed mid-copy and the session got an empty workspace (28 of 40 copies here, under load).
    const exited = container.wait({condition: 'next-exit'})
    await container.start()
    stream.end(Buffer.from(request.paths.map((p) => `${p}\0`).join('')))
    const {StatusCode: status} = (await exited) as {StatusCode: number}
    stream.destroy()
    const complaint = stderr.trim().split('\n').pop()
    if (status === COUNT_MISMATCH) throw new Error(`not every listed entry was copied (${complaint})`)
    if (status !== 0) throw new Error(complaint || `the copy exited with ${status}`)
  } finally {
    request.signal?.removeEventListener('abort', onAbort)
    await container.remove({force: true}).catch(() => undefined)
  }
}
