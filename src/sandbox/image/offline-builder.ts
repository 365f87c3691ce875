// The offline image builder: debootstrap from the host's apt mirror, packages and user in a chroot (cached), then `docker import`.
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type Docker from 'dockerode'

import {AgentError, UserInputError} from '../../errors.js'
import {toDockerError, type DockerEndpoint} from '../docker-client.js'
import {findDebianMirror, readAptSources, renderSourcesList, type DebianMirror} from './apt-sources.js'
import type {BuildRequest, ImageBuilder} from './builder.js'
import {imageConfigChanges, type ImageSpec} from './definition.js'
import {followDockerStream} from './docker-stream.js'
import {packRootfs} from './rootfs-tar.js'
import {findProgram, runProcess} from './run-process.js'

/** Bump when the way the base is made changes, so old caches are not reused. */
const BASE_FORMAT = 1

export interface OfflineBuilderOptions {
  /** Directory for the cached debootstrap base (one subdirectory per mirror + package list). */
  cacheDir: string
  /** Debian mirror to use instead of the one read from the host's apt sources. */
  mirror?: string
  /** Root of the filesystem whose /etc/apt is read (tests); defaults to "/". */
  aptRoot?: string
  /** Program lookup PATH (tests). */
  pathEnv?: string
}

/** Whether the offline builder can run here: root, debootstrap and chroot. */
export function offlineReadiness(pathEnv = process.env.PATH ?? ''): {ok: true} | {ok: false; error: string} {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return {
      ok: false,
      error: 'it needs root for debootstrap and chroot: run it as root, e.g. sudo agent sandbox build --offline',
    }
  }
  if (!findProgram('debootstrap', pathEnv))
    return {ok: false, error: 'debootstrap is not installed (apt-get install debootstrap)'}
  if (!findProgram('chroot', pathEnv)) return {ok: false, error: 'chroot is not installed (coreutils)'}
  return {ok: true}
}

/** The mirror to debootstrap from: the explicit one, else the host's apt entry serving `<suite> main`. */
export function resolveMirror(
  spec: ImageSpec,
  options: Pick<OfflineBuilderOptions, 'mirror' | 'aptRoot'>,
): DebianMirror {
  if (options.mirror) return {uri: options.mirror.replace(/\/+$/, ''), suite: spec.suite, extra: []}
  const {sources, files} = readAptSources(options.aptRoot === undefined ? {} : {root: options.aptRoot})
  const mirror = findDebianMirror(sources, spec.suite)
  if (!mirror) {
    const read = files.length > 0 ? files.join(', ') : 'no apt sources found'
    throw new UserInputError(`No apt source on this host serves Debian ${spec.suite} main (read ${read})`, {
      hint: 'Pass --mirror http://<a Debian mirror>/debian',
    })
  }
  return mirror
}

/** Cache key of a base: everything that changes what debootstrap + apt + useradd produce. */
export function baseCacheKey(spec: ImageSpec, mirror: DebianMirror): string {
  const input = JSON.stringify({
    format: BASE_FORMAT,
    mirror: mirror.uri,
    suite: mirror.suite,
    extra: mirror.extra,
    packages: [...spec.packages].sort(),
    user: spec.user,
    workdir: spec.workdir,
  })
  return createHash('sha256').update(input).digest('hex').slice(0, 16)
}

export class OfflineBuilder implements ImageBuilder {
  readonly kind = 'offline' as const

  constructor(
    private readonly docker: Docker,
    private readonly endpoint: DockerEndpoint,
    private readonly options: OfflineBuilderOptions,
  ) {}

  async build(request: BuildRequest): Promise<void> {
    const ready = offlineReadiness(this.options.pathEnv)
    if (!ready.ok) throw new AgentError(`The offline image build cannot run: ${ready.error}`)
    const {spec} = request.definition
    const mirror = resolveMirror(spec, this.options)
    const rootfs = await this.ensureBase(spec, mirror, request)
    await this.importImage(rootfs, request)
  }

  /** The cached base root filesystem for this mirror and package list, made when missing. */
  private async ensureBase(spec: ImageSpec, mirror: DebianMirror, request: BuildRequest): Promise<string> {
    const {onProgress, signal} = request
    const root = path.join(this.options.cacheDir, 'offline-base')
    const key = baseCacheKey(spec, mirror)
    const final = path.join(root, key)
    if (fs.existsSync(path.join(final, 'complete'))) {
      onProgress({type: 'phase', phase: 'debootstrap', message: `using the cached ${spec.suite} base in ${final}`})
      return path.join(final, 'rootfs')
    }

    fs.mkdirSync(root, {recursive: true, mode: 0o755})
    const work = path.join(root, `${key}.partial-${process.pid}`)
    removeTree(work)
    const rootfs = path.join(work, 'rootfs')
    fs.mkdirSync(rootfs, {recursive: true})
    try {
      const args = ['--variant=minbase']
      if (mirror.keyring && fs.existsSync(mirror.keyring)) args.push(`--keyring=${mirror.keyring}`)
      args.push(mirror.suite, rootfs, mirror.uri)
      onProgress({type: 'phase', phase: 'debootstrap', message: `debootstrap ${mirror.suite} from ${mirror.uri}`})
      await runProcess(findProgram('debootstrap', this.options.pathEnv) ?? 'debootstrap', args, {
        what: 'debootstrap',
        onLine: (line) => onProgress({type: 'log', line}),
        ...(signal ? {signal} : {}),
      })

      fs.writeFileSync(path.join(rootfs, 'etc/apt/sources.list'), renderSourcesList(mirror))
      // Keep package scripts from starting services inside the chroot.
      const policy = path.join(rootfs, 'usr/sbin/policy-rc.d')
      fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', {mode: 0o755})
      await withProc(rootfs, async () => {
        onProgress({type: 'phase', phase: 'packages', message: `installing ${spec.packages.join(' ')}`})
        await chroot(rootfs, aptScript(spec), request, 'apt-get in the chroot')
        onProgress({
          type: 'phase',
          phase: 'user',
          message: `creating user ${spec.user.name} (uid ${spec.user.uid}), ${spec.workdir}`,
        })
        await chroot(rootfs, userScript(spec), request, 'creating the user')
      })
      fs.rmSync(policy, {force: true})
      // debootstrap copied the host's name and resolver; the container runtime provides its own.
      fs.writeFileSync(path.join(rootfs, 'etc/hostname'), '')
      fs.writeFileSync(path.join(rootfs, 'etc/resolv.conf'), '')

      fs.writeFileSync(path.join(work, 'complete'), `${new Date().toISOString()}\n${JSON.stringify(mirror)}\n`)
      if (fs.existsSync(path.join(final, 'complete'))) {
        // Another build finished the same base meanwhile: use it, drop ours.
        removeTree(work)
      } else {
        removeTree(final)
        fs.renameSync(work, final)
      }
    } catch (error) {
      removeTree(work)
      throw error
    }
    removeStaleBases(root, key)
    return path.join(final, 'rootfs')
  }

  private async importImage(rootfs: string, request: BuildRequest): Promise<void> {
    const {definition, name, labels, onProgress, signal} = request
    onProgress({type: 'phase', phase: 'import', message: `docker import as ${name}`})
    const colon = name.lastIndexOf(':')
    const [repo, tag] = colon > name.lastIndexOf('/') ? [name.slice(0, colon), name.slice(colon + 1)] : [name, 'latest']
    const tar = packRootfs(rootfs, path.join(definition.dir, 'rootfs'))
    let stream: NodeJS.ReadableStream
    try {
      stream = await this.docker.importImage(tar, {
        repo,
        tag,
        message: `sandbox-agent offline build ${definition.hash}`,
        changes: imageConfigChanges(definition.spec, labels),
        ...(signal ? {abortSignal: signal} : {}),
      })
    } catch (error) {
      throw toDockerError(error, this.endpoint)
    }
    await followDockerStream(stream, (m) => m.status && onProgress({type: 'log', line: m.status}), 'docker import')
  }
}

function aptScript(spec: ImageSpec): string {
  return [
    'set -e',
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update -q',
    `apt-get install -y -q --no-install-recommends ${spec.packages.join(' ')}`,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
  ].join('\n')
}

function userScript(spec: ImageSpec): string {
  const {name, uid, gid, home, shell} = spec.user
  return [
    'set -e',
    `groupadd --gid ${gid} ${name}`,
    `useradd --create-home --home-dir ${home} --uid ${uid} --gid ${gid} --shell ${shell} ${name}`,
    `mkdir -p ${spec.workdir}`,
    `chown ${name}:${name} ${spec.workdir}`,
  ].join('\n')
}

function chroot(rootfs: string, script: string, request: BuildRequest, what: string): Promise<void> {
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    HOME: '/root',
    DEBIAN_FRONTEND: 'noninteractive',
  }
  return runProcess('chroot', [rootfs, '/bin/sh', '-c', script], {
    env,
    what,
    onLine: (line) => request.onProgress({type: 'log', line}),
    ...(request.signal ? {signal: request.signal} : {}),
  })
}

/** Runs fn with /proc mounted in the chroot; always unmounts. */
async function withProc(rootfs: string, fn: () => Promise<void>): Promise<void> {
  const proc = path.join(rootfs, 'proc')
  let mounted = false
  try {
    await runProcess('mount', ['-t', 'proc', 'proc', proc], {what: 'mounting /proc in the chroot'})
    mounted = true
  } catch {
    // Package scripts mostly cope without /proc; go on.
  }
  try {
    await fn()
  } finally {
    if (mounted)
      await runProcess('umount', [proc]).catch(() => runProcess('umount', ['-l', proc]).catch(() => undefined))
  }
}

/** Mount points at or below dir (from /proc/self/mounts). */
export function mountsUnder(dir: string): string[] {
  let text: string
  try {
    text = fs.readFileSync('/proc/self/mounts', 'utf8')
  } catch {
    return []
  }
  const abs = path.resolve(dir)
  return text
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((point): point is string => point !== undefined && (point === abs || point.startsWith(`${abs}/`)))
}

/** rm -rf that refuses to descend into anything still mounted (a bind-mounted /dev would take the host's with it). */
function removeTree(dir: string): void {
  if (!fs.existsSync(dir)) return
  const mounts = mountsUnder(dir)
  if (mounts.length > 0)
    throw new AgentError(`Refusing to delete ${dir}: ${mounts[0]} is still mounted`, {hint: `Run umount ${mounts[0]}`})
  fs.rmSync(dir, {recursive: true, force: true})
}

/** Drops bases made for another mirror or package list (each is ~0.5 GB); leaves other processes' partial builds. */
function removeStaleBases(root: string, keep: string): void {
  for (const name of fs.readdirSync(root)) {
    if (name === keep || !/^[0-9a-f]{16}$/.test(name)) continue
    try {
      removeTree(path.join(root, name))
    } catch {
      // best effort
    }
  }
}
