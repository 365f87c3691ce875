// TEST FAKE (never built into dist: tsconfig.build.json leaves out testing/): an in-memory SandboxSession whose exec
// plays back scripted output and results; files live in a Map.
import type {ExecEvent, ExecHandle, ExecOptions, ExecResult, SandboxSession} from '../../../sandbox/types.js'

export interface ScriptedExec {
  /** Chunks in the order they arrive. */
  output?: {stream: 'stdout' | 'stderr'; chunk: string | Buffer}[]
  result?: Partial<Omit<ExecResult, 'stdout' | 'stderr'>> & {stdout?: string; stderr?: string}
}

export interface FakeSession extends SandboxSession {
  /** Every exec call, in order. */
  readonly calls: {command: string; options: ExecOptions}[]
  readonly files: Map<string, Buffer>
  /** Makes the next N writeFile calls fail (as when a directory is missing). */
  failWrites(count: number): void
  /** Makes writes fail with ENOSPC once the files would hold more than this many bytes (a full /tmp). */
  limitDisk(bytes: number): void
}

function bounded(text: string) {
  return {text, totalBytes: Buffer.byteLength(text), omittedBytes: 0}
}

/**
 * `script` answers each exec (return undefined for a plain success). Built in: `mkdir -p` succeeds, and
 * `cat 'a' > 'c' && rm -f 'a' && cat 'b' >> 'c' ...` joins files of the Map, as the shell tool joins spilled parts.
 */
export function createFakeSession(
  script: (command: string, options: ExecOptions) => ScriptedExec | undefined = () => undefined,
): FakeSession {
  const calls: {command: string; options: ExecOptions}[] = []
  const files = new Map<string, Buffer>()
  let failingWrites = 0

  let diskBytes = Number.POSITIVE_INFINITY
  const used = () => [...files.values()].reduce((sum, data) => sum + data.length, 0)

  /** `cat 'a' > 'f'`, `cat 'a' >> 'f'` and `rm -f 'a' ...` joined by `&&`, as the shell tool joins spilled parts. */
  function builtIn(command: string): ScriptedExec | undefined {
    if (command.startsWith('mkdir -p ')) return {}
    const steps = command.split(' && ')
    const cat = /^cat '([^']+)' (>>?) '([^']+)'$/
    const rm = /^rm -f( '[^']+')+$/
    if (!steps.every((step) => cat.test(step) || rm.test(step))) return undefined
    for (const step of steps) {
      const join = cat.exec(step)
      if (!join) {
        for (const m of step.matchAll(/'([^']+)'/g)) files.delete(m[1]!)
        continue
      }
      const [, from, op, to] = join as unknown as [string, string, string, string]
      const data = files.get(from)
      if (!data) return {result: {exitCode: 1, stderr: `cat: ${from}: No such file`}}
      const before = op === '>>' ? (files.get(to) ?? Buffer.alloc(0)) : Buffer.alloc(0)
      if (used() - (files.get(to)?.length ?? 0) + before.length + data.length > diskBytes) {
        return {result: {exitCode: 1, stderr: 'cat: write error: No space left on device'}}
      }
      files.set(to, Buffer.concat([before, data]))
    }
    return {}
  }

  const session: FakeSession = {
    id: 'fake-session',
    hostWorkspace: '/host/project',
    calls,
    files,
    failWrites(count: number) {
      failingWrites = count
    },
    limitDisk(bytes: number) {
      diskBytes = bytes
    },
    exec(command: string, options: ExecOptions = {}): ExecHandle {
      calls.push({command, options})
      const scripted = builtIn(command) ?? script(command, options) ?? {}
      const output = (scripted.output ?? []).map(({stream, chunk}) => ({
        stream,
        chunk: Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk),
      }))
      const text = (stream: 'stdout' | 'stderr') =>
        scripted.result?.[stream] ??
        Buffer.concat(output.filter((o) => o.stream === stream).map((o) => o.chunk)).toString()
      const {stdout: _stdout, stderr: _stderr, ...rest} = scripted.result ?? {}
      const result: ExecResult = {
        exitCode: 0,
        signal: null,
        timedOut: false,
        canceled: false,
        oomKilled: false,
        containerGone: false,
        durationMs: 1,
        backgroundPids: [],
        ...rest,
        stdout: bounded(text('stdout')),
        stderr: bounded(text('stderr')),
      }
      const events: ExecEvent[] = [...output.map(({stream, chunk}) => ({type: stream, chunk})), {type: 'exit', result}]
      return {
        result: Promise.resolve(result),
        async *[Symbol.asyncIterator]() {
          for (const event of events) yield event
        },
      }
    },
    async readFile(path: string) {
      const data = files.get(path)
      if (!data) throw new Error(`ENOENT: ${path}`)
      return data
    },
    async writeFile(path: string, data: Buffer | string) {
      if (failingWrites > 0) {
        failingWrites--
        throw new Error(`ENOENT: no such directory for ${path}`)
      }
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data)
      if (used() - (files.get(path)?.length ?? 0) + buffer.length > diskBytes) {
        throw new Error('ENOSPC: no space left on device, write')
      }
      files.set(path, buffer)
    },
    async list() {
      return []
    },
    async changes() {
      return {sessionId: 'fake-session', changes: []}
    },
    async apply() {
      return {applied: [], refused: []}
    },
    async keep() {},
    async close() {},
    async [Symbol.asyncDispose]() {},
  }
  return session
}
