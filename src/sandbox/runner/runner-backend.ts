// The fast backend: every operation is a frame to the long-lived runner over the container's attached stream.
import type {NetworkProbe, SandboxBackend} from '../backend.js'
import type {SandboxEntry} from '../changes/compute-changes.js'
import type {SelfTestReport} from '../lifecycle/isolation-check.js'
import type {DirEntry, ExecHandle, ExecOptions} from '../types.js'
import type {RunnerClient} from './runner-client.js'

type Row = [string, SandboxEntry['type'], number, number, number, string?]

export class RunnerBackend implements SandboxBackend {
  readonly kind = 'runner'

  constructor(readonly client: RunnerClient) {}

  get isGone(): boolean {
    return this.client.isGone
  }

  exec(command: string, options?: ExecOptions): ExecHandle {
    return this.client.exec(command, options)
  }

  async list(root: string): Promise<SandboxEntry[]> {
    const {value} = await this.client.call<{entries: Row[]}>('list', {root})
    return value.entries.map(([path, type, size, mtimeMs, mode, link]) => ({
      path,
      type,
      size,
      mtimeMs,
      mode,
      ...(link !== undefined ? {link} : {}),
    }))
  }

  async hash(root: string, paths: string[]): Promise<Record<string, string | null>> {
    return (await this.client.call<{hashes: Record<string, string | null>}>('hash', {root, paths})).value.hashes
  }

  async readFile(path: string): Promise<Buffer> {
    return (await this.client.call('readFile', {path})).tail
  }

  async writeFile(path: string, data: Buffer, mode?: number): Promise<void> {
    await this.client.call('writeFile', {path, ...(mode !== undefined ? {mode} : {})}, data)
  }

  async listDir(path: string): Promise<DirEntry[]> {
    return (await this.client.call<{entries: DirEntry[]}>('listDir', {path})).value.entries
  }

  async selftest(probes: NetworkProbe[]): Promise<SelfTestReport> {
    return (await this.client.call<SelfTestReport>('selftest', {probes})).value
  }

  async killBackground(): Promise<void> {
    await this.client.call('killBackground', {graceMs: 500})
  }

  async reset(): Promise<void> {
    await this.client.call('reset')
  }

  async copyTree(from: string, to: string, paths: string[]): Promise<void> {
    await this.client.call('copyTree', {from, to, paths})
  }

  detach(): void {
    this.client.detach()
  }
}
