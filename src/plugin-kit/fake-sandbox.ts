// TEST FAKE for plugin authors: a SandboxSession backed by a temp directory on the host. Never use it outside tests.
import {spawn} from 'node:child_process'
import {createHash, randomUUID} from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import type {
  ApplyReport,
  BoundedOutput,
  ChangeSet,
  DirEntry,
  ExecEvent,
  ExecHandle,
  ExecOptions,
  ExecResult,
  FileChange,
  SandboxSession,
  SpawnedProcess,
} from '../sandbox/types.js'
import {execResult} from '../sandbox/exec-result.js'
import {WORKSPACE_ROOT} from './workspace-path.js'

export interface FakeSandboxOptions {
  /** Files to start with, by path relative to /workspace (or absolute under it). Directories are created. */
  files?: Record<string, string | Buffer>
}

/** The fake session plus what a test needs to look behind it. */
export interface FakeSandbox extends SandboxSession {
  /** The host directory standing in for /workspace. */
  readonly root: string
  /** Every command exec was asked to run, in order. */
  readonly commands: string[]
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024

/**
 * An in-process stand-in for a sandbox session. readFile/writeFile/list act on a temp directory that plays /workspace;
 * exec runs `bash -c` ON THE HOST with that directory as cwd (so commands must use paths relative to their cwd, not
 * the literal `/workspace`). It isolates nothing: it exists so plugin tests run without Docker.
 */
export async function createFakeSandbox(options: FakeSandboxOptions = {}): Promise<FakeSandbox> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-fake-'))
  for (const [name, content] of Object.entries(options.files ?? {})) {
    const file = toHost(root, name)
    await fs.mkdir(path.dirname(file), {recursive: true})
    await fs.writeFile(file, content)
  }
  const initial = await snapshot(root)
  const commands: string[] = []
  let closed = false
  const id = `fake-${randomUUID().slice(0, 8)}`

  const session: FakeSandbox = {
    id,
    root,
    commands,
    hostWorkspace: root,
    exec(command: string, execOptions: ExecOptions = {}): ExecHandle {
      commands.push(command)
      return runOnHost(command, root, execOptions, false)
    },
    spawn(command: string, execOptions: ExecOptions = {}): SpawnedProcess {
      commands.push(command)
      return runOnHost(command, root, execOptions, true)
    },
    async readFile(file: string): Promise<Buffer> {
      return fs.readFile(toHost(root, file))
    },
    async writeFile(file: string, data: Buffer | string): Promise<void> {
      const target = toHost(root, file)
      await fs.mkdir(path.dirname(target), {recursive: true})
      await fs.writeFile(target, data)
    },
    async list(dir: string): Promise<DirEntry[]> {
      const base = toHost(root, dir)
      const entries = await fs.readdir(base, {withFileTypes: true})
      const result: DirEntry[] = []
      for (const entry of entries) {
        const stat = await fs.lstat(path.join(base, entry.name))
        const type = entry.isSymbolicLink()
          ? 'symlink'
          : entry.isDirectory()
            ? 'directory'
            : entry.isFile()
              ? 'file'
              : 'other'
        result.push({name: entry.name, type, size: stat.size})
      }
      return result.sort((a, b) => a.name.localeCompare(b.name))
    },
    async changes(): Promise<ChangeSet> {
      const now = await snapshot(root)
      const changes: FileChange[] = []
      for (const [file, hash] of now) {
        const before = initial.get(file)
        if (before === undefined)
          changes.push({path: file, kind: 'added', entryType: 'file', binary: false, sha256: hash})
        else if (before !== hash)
          changes.push({path: file, kind: 'modified', entryType: 'file', binary: false, sha256: hash})
      }
      for (const file of initial.keys()) {
        if (!now.has(file)) changes.push({path: file, kind: 'deleted', entryType: 'file', binary: false})
      }
      return {sessionId: id, changes: changes.sort((a, b) => a.path.localeCompare(b.path))}
    },
    async apply(): Promise<ApplyReport> {
      throw new Error('the fake sandbox does not apply changes to a host workspace')
    },
    async keep(): Promise<void> {},
    async close(): Promise<void> {
      if (closed) return
      closed = true
      await fs.rm(root, {recursive: true, force: true})
    },
    async [Symbol.asyncDispose](): Promise<void> {
      await session.close()
    },
  }
  return session
}

/** Maps a sandbox path (absolute under /workspace or relative to it) into the temp directory; refuses the rest. */
function toHost(root: string, file: string): string {
  const inside = path.posix.resolve(WORKSPACE_ROOT, file)
  if (inside !== WORKSPACE_ROOT && !inside.startsWith(`${WORKSPACE_ROOT}/`)) {
    throw Object.assign(new Error(`fake sandbox: ${file} is outside ${WORKSPACE_ROOT}`), {code: 'EACCES'})
  }
  return path.join(root, path.posix.relative(WORKSPACE_ROOT, inside))
}

async function snapshot(root: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>()
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, {withFileTypes: true})) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (entry.isFile()) {
        const hash = createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex')
        hashes.set(path.relative(root, full).split(path.sep).join('/'), hash)
      }
    }
  }
  await walk(root)
  return hashes
}

function bounded(chunks: Buffer[], max: number): BoundedOutput {
  const all = Buffer.concat(chunks)
  if (all.length <= max) return {text: all.toString('utf8'), totalBytes: all.length, omittedBytes: 0}
  const half = Math.floor(max / 2)
  const omitted = all.length - 2 * half
  const text = `${all.subarray(0, half).toString('utf8')}\n[... ${omitted} bytes omitted ...]\n${all.subarray(all.length - half).toString('utf8')}`
  return {text, totalBytes: all.length, omittedBytes: omitted}
}

function runOnHost(command: string, root: string, options: ExecOptions, withInput: boolean): SpawnedProcess {
  const events: ExecEvent[] = []
  let wake: (() => void) | undefined
  let finished = false
  const push = (event: ExecEvent): void => {
    events.push(event)
    wake?.()
  }
  const started = Date.now()
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT
  let input: NodeJS.WritableStream | undefined

  const result = new Promise<ExecResult>((resolve) => {
    const finish = (partial: Partial<ExecResult>): void => {
      if (finished) return
      finished = true
      const result = execResult({
        durationMs: Date.now() - started,
        stdout: bounded(stdout, max),
        stderr: bounded(stderr, max),
        ...partial,
      })
      push({type: 'exit', result})
      resolve(result)
    }
    let cwd: string
    try {
      cwd = toHost(root, options.cwd ?? WORKSPACE_ROOT)
    } catch (error) {
      finish({exitCode: 126, error: (error as Error).message})
      return
    }
    const child = spawn('bash', ['-c', command], {
      cwd,
      env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, LANG: 'C.UTF-8', ...options.env},
      stdio: [withInput ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
    })
    if (child.stdin) {
      child.stdin.on('error', () => undefined)
      input = child.stdin
    }
    let reason: 'timedOut' | 'canceled' | undefined
    const kill = (why: 'timedOut' | 'canceled'): void => {
      reason ??= why
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = options.timeoutMs ? setTimeout(() => kill('timedOut'), options.timeoutMs) : undefined
    const onAbort = (): void => kill('canceled')
    options.signal?.addEventListener('abort', onAbort, {once: true})
    if (options.signal?.aborted) onAbort()
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
      push({type: 'stdout', chunk})
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
      push({type: 'stderr', chunk})
    })
    child.on('error', (error) => finish({exitCode: 127, error: error.message}))
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      finish({exitCode: code, signal, timedOut: reason === 'timedOut', canceled: reason === 'canceled'})
    })
  })

  return {
    result,
    write(data: Buffer): void {
      if (!finished) input?.write(data)
    },
    end(): void {
      input?.end()
    },
    async *[Symbol.asyncIterator](): AsyncIterator<ExecEvent> {
      let index = 0
      for (;;) {
        while (index < events.length) {
          const event = events[index++]!
          yield event
          if (event.type === 'exit') return
        }
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
      }
    },
  }
}
