// Step: the project into /workspace: packed and sent whole, refreshed by difference (reuse), or copied from the mount.
import type Dockerode from 'dockerode'

import {AgentError, ExitCode} from '../../errors.js'
import type {SandboxBackend} from '../backend.js'
import {WORKSPACE_DIR} from '../lifecycle/container-spec.js'
import {copyThroughHelper} from '../workspace/copy-helper.js'
import type {Manifest} from '../workspace/manifest.js'
import {packWorkspace, scanWorkspace, type PackOptions} from '../workspace/pack-workspace.js'

export type IsIgnored = Parameters<typeof packWorkspace>[1]

export interface CopyTarget {
  container: Dockerode.Container
  backend: SandboxBackend
  /** The real path of the project on the host. */
  root: string
  isIgnored: IsIgnored
  /** For `mount`: what the copy helper needs (the session container itself never sees the project). */
  helper?: {docker: Dockerode; image: string; volume: string}
}

/** How the workspace is filled: `mount` copies from the read-only bind, `refresh` sends only what differs. */
export type CopyMode = 'archive' | 'mount' | 'refresh'

export function copyWorkspace(target: CopyTarget, mode: CopyMode): Promise<Manifest> {
  if (mode === 'mount') return copyFromMount(target)
  if (mode === 'refresh') return refreshWorkspace(target)
  return copyIn(target)
}

/**
 * Copies the project in: through the runner into `tar -x` in the container when there is a runner, else with the
 * daemon's putArchive (several times slower for many small files).
 */
async function copyIn({container, backend, root, isIgnored}: CopyTarget, pack: PackOptions = {}): Promise<Manifest> {
  const packed = packWorkspace(root, isIgnored, pack)
  // A read error fails both the upload and the manifest; the upload's rejection is the one reported.
  packed.manifest.catch(() => undefined)
  try {
    if (backend.upload) await backend.upload(packed.stream, WORKSPACE_DIR)
    else await container.putArchive(packed.stream, {path: WORKSPACE_DIR})
  } catch (error) {
    // An unreadable project file cuts the archive: report that, not what the cut made the receiving end say.
    packed.stream.destroy()
    const packError = await packed.manifest.then(
      () => undefined,
      (reason: unknown) => reason,
    )
    throw (packError as NodeJS.ErrnoException | undefined)?.syscall ? packError : error
  }
  return packed.manifest
}

/**
 * Reuse: brings the warm container's workspace in line with the project by sending only what differs. Entries the
 * project no longer has (or has as another type) are removed first; a file counts as unchanged only when type,
 * mode, size, mtime and the sha256 the runner computes in the container all match what the host has now, so
 * whatever the previous session left behind is either verified or replaced.
 */
async function refreshWorkspace(target: CopyTarget): Promise<Manifest> {
  const {backend, root, isIgnored} = target
  const [listing, onHost] = await Promise.all([backend.list(WORKSPACE_DIR), scanWorkspace(root, isIgnored)])
  const inSandbox = new Map(listing.map((entry) => [entry.path, entry]))
  const stale = listing.filter((entry) => onHost.get(entry.path)?.type !== entry.type).map((entry) => entry.path)
  const staleSet = new Set(stale)
  // Only the top-most of the stale paths: removing a directory removes what is under it.
  const topMost = stale.filter((rel) => {
    for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
      if (staleSet.has(rel.slice(0, i))) return false
    }
    return true
  })
  const lookSame = (rel: string, host: {type: string; size: number; mtime: number; mode: number}): boolean => {
    const now = inSandbox.get(rel)
    return (
      now !== undefined &&
      !staleSet.has(rel) &&
      now.mode === host.mode &&
      (host.type !== 'f' || (now.size === host.size && Math.floor(now.mtimeMs / 1000) === host.mtime))
    )
  }
  const candidates = [...onHost].filter(([rel, host]) => host.type === 'f' && lookSame(rel, host)).map(([rel]) => rel)
  const [hashes] = await Promise.all([
    candidates.length > 0
      ? backend.hash(WORKSPACE_DIR, candidates)
      : Promise.resolve({} as Record<string, string | null>),
    backend.remove!(WORKSPACE_DIR, topMost),
  ])
  return copyIn(target, {
    include: (rel, entry) => {
      if (!lookSame(rel, entry)) return true
      if (entry.type === 'f') return hashes[rel] !== entry.sha256
      if (entry.type === 'l') return inSandbox.get(rel)?.link !== entry.link
      return false
    },
  })
}

/**
 * --mount mode: list the project on the host (applying .qwenignore and sandbox.exclude), then copy those paths into
 * the session's volume from a read-only bind in a short-lived helper container. The session container gets no bind:
 * what the exclusions leave out (.qwen/.env with a key) is never within its reach.
 */
async function copyFromMount({root, isIgnored, helper}: CopyTarget): Promise<Manifest> {
  const manifest = await scanWorkspace(root, isIgnored)
  if (!helper) throw new Error('--mount needs the copy helper')
  try {
    await copyThroughHelper({...helper, source: root, paths: [...manifest.keys()]})
  } catch (error) {
    throw new AgentError(
      `Could not copy the mounted project inside the sandbox: ${(error as Error).message.split('\n')[0]}`,
      {
        hint: 'With --mount the container user (uid 1000) must be able to read the project; or run without --mount',
        exitCode: ExitCode.docker,
        cause: error,
      },
    )
  }
  return manifest
}
