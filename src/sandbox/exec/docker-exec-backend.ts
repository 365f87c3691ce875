// The fallback backend for images without the runner (or containers another client is attached to): one docker exec per operation.
import path from 'node:path'
import type Dockerode from 'dockerode'
import tarStream from 'tar-stream'

import type {NetworkProbe, SandboxBackend} from '../backend.js'
import type {ListingPage, SandboxEntry} from '../changes/compute-changes.js'
import {fetchEntry} from '../changes/fetch-file.js'
import type {SelfTestReport} from '../lifecycle/isolation-check.js'
import {execResult} from '../exec-result.js'
import type {DirEntry, ExecHandle, ExecOptions} from '../types.js'
import {EXEC_MARKER, dockerExec, killMarkedScript, resolveCwd, runExec} from './docker-exec.js'

const LIST_FORMAT = '%P\\0%y\\0%s\\0%T@\\0%m\\0%l\\0'
const HASH_BATCH = 200

function parseFind(output: Buffer): SandboxEntry[] {
  const fields = output.toString('utf8').split('\0')
  const entries: SandboxEntry[] = []
  for (let i = 0; i + 5 < fields.length; i += 6) {
    const kind = fields[i + 1]
    const type = kind === 'f' ? 'f' : kind === 'd' ? 'd' : kind === 'l' ? 'l' : 'o'
    entries.push({
      path: fields[i]!,
      type,
      size: Number(fields[i + 2]),
      mtimeMs: Math.trunc(Number(fields[i + 3]) * 1000),
      mode: parseInt(fields[i + 4]!, 8),
      ...(type === 'l' ? {link: fields[i + 5]!} : {}),
    })
  }
  return entries
}

export class DockerExecBackend implements SandboxBackend {
  readonly kind = 'docker-exec'
  readonly isGone = false

  constructor(private readonly container: Dockerode.Container) {}

  exec(command: string, options: ExecOptions = {}): ExecHandle {
    if (options.background) return this.background(command, options)
    return dockerExec(this.container, command, options, {findLeftovers: true})
  }

  private background(command: string, options: ExecOptions): ExecHandle {
    const log = `/tmp/sandbox-agent/bg-${Date.now().toString(36)}.log`
    const script = `mkdir -p /tmp/sandbox-agent; setsid bash -c "$0" >${log} 2>&1 </dev/null & echo $!`
    const result = runExec(this.container, ['bash', '-c', script, command], {
      cwd: resolveCwd(options.cwd),
      env: [...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`), `${EXEC_MARKER}=background`],
    }).then((out) => {
      const pid = Number(out.stdout.toString().trim())
      return execResult({backgroundPids: Number.isFinite(pid) && pid > 0 ? [pid] : [], backgroundLog: log})
    })
    return {
      result,
      async *[Symbol.asyncIterator]() {
        yield {type: 'exit' as const, result: await result}
      },
    }
  }

  async list(root: string): Promise<SandboxEntry[]> {
    // find exits 1 past a folder it cannot read, having listed the rest: the host infers those from their modes.
    const out = await runExec(this.container, ['find', root, '-mindepth', '1', '-printf', LIST_FORMAT])
    return parseFind(out.stdout)
  }

  async *listing(root: string): AsyncIterable<ListingPage> {
    yield {entries: await this.list(root), unreadable: []}
  }

  async hash(root: string, paths: string[]): Promise<Record<string, string | null>> {
    const hashes: Record<string, string | null> = {}
    for (let i = 0; i < paths.length; i += HASH_BATCH) {
      const batch = paths.slice(i, i + HASH_BATCH)
      for (const p of batch) hashes[p] = null
      const out = await runExec(this.container, ['sha256sum', '-z', '--', ...batch], {cwd: root})
      for (const line of out.stdout.toString('utf8').split('\0')) {
        const match = /^([0-9a-f]{64}) [ *](.*)$/s.exec(line)
        if (match) hashes[match[2]!] = match[1]!
      }
    }
    return hashes
  }

  async readFile(file: string): Promise<Buffer> {
    const entry = await fetchEntry(this.container, resolveCwd(file), 512 * 1024 * 1024)
    if (!entry.data) throw new Error(`not a regular file: ${file}`)
    return entry.data
  }

  async writeFile(file: string, data: Buffer, mode = 0o644): Promise<void> {
    const target = resolveCwd(file)
    await runExec(this.container, ['mkdir', '-p', path.posix.dirname(target)])
    const pack = tarStream.pack()
    pack.entry({name: path.posix.basename(target), mode, uid: 1000, gid: 1000, size: data.length}, data)
    pack.finalize()
    await this.container.putArchive(pack as unknown as NodeJS.ReadableStream, {path: path.posix.dirname(target)})
  }

  async listDir(dir: string): Promise<DirEntry[]> {
    const entries = parseFind(
      (
        await runExec(this.container, [
          'find',
          resolveCwd(dir),
          '-mindepth',
          '1',
          '-maxdepth',
          '1',
          '-printf',
          LIST_FORMAT,
        ])
      ).stdout,
    )
    const names = {f: 'file', d: 'directory', l: 'symlink', o: 'other'} as const
    return entries.map((e) => ({name: e.path, type: names[e.type], size: e.size}))
  }

  async selftest(probes: NetworkProbe[]): Promise<SelfTestReport> {
    const probeScript = probes
      .map(
        (p) =>
          `if timeout ${Math.ceil(p.timeoutMs / 1000)} bash -c 'echo > /dev/tcp/${p.host}/${p.port}' 2>/dev/null; then echo "probe ${p.host}:${p.port} connected"; else echo "probe ${p.host}:${p.port} failed"; fi`,
      )
      .join('; ')
    const script = [
      'echo "uid $(id -u)"; echo "gid $(id -g)"',
      `grep -E '^(CapEff|NoNewPrivs):' /proc/self/status | tr -d '\\t' | sed 's/:/ /'`,
      'echo "interfaces $(ls /sys/class/net | tr "\\n" " ")"',
      'if [ -S /var/run/docker.sock ] || [ -S /run/docker.sock ]; then echo "socket yes"; else echo "socket no"; fi',
      probeScript || 'true',
    ].join('; ')
    const text = (await runExec(this.container, ['bash', '-c', script])).stdout.toString()
    const field = (name: string): string => new RegExp(`^${name} (.*)$`, 'm').exec(text)?.[1]?.trim() ?? ''
    const report: SelfTestReport = {
      uid: Number(field('uid')),
      gid: Number(field('gid')),
      capEff: field('CapEff'),
      noNewPrivs: field('NoNewPrivs'),
      interfaces: field('interfaces').split(/\s+/).filter(Boolean),
      probes: {},
      dockerSocket: field('socket') === 'yes',
      env: [],
    }
    for (const match of text.matchAll(/^probe (\S+) (\w+)$/gm)) report.probes[match[1]!] = match[2]!
    return report
  }

  async killBackground(): Promise<void> {
    await runExec(this.container, [
      'sh',
      '-c',
      `${killMarkedScript('*', 'TERM')}; sleep 0.3; ${killMarkedScript('*', 'KILL')}`,
    ])
  }

  async reset(): Promise<void> {
    await this.killBackground()
    await runExec(this.container, ['find', '/workspace', '-mindepth', '1', '-delete'])
  }

  async copyTree(from: string, to: string, paths: string[]): Promise<void> {
    const list = Buffer.from(paths.map((p) => `${p}\0`).join(''))
    const out = await runExec(
      this.container,
      ['bash', '-c', 'set -o pipefail; tar -C "$0" --null --no-recursion -T - -cf - | tar -C "$1" -xpf -', from, to],
      {stdin: list},
    )
    if (out.exitCode !== 0) throw new Error(`copy into the workspace failed: ${out.stderr.toString().trim()}`)
  }

  detach(): void {
    // nothing is attached
  }
}
