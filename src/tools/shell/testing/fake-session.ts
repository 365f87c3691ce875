// TEST FAKE: an in-memory SandboxSession whose exec plays back scripted output and results; files live in a Map.
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
}

function bounded(text: string) {
  return {text, totalBytes: Buffer.byteLength(text), omittedBytes: 0}
}

/**
 * `script` answers each exec (return undefined for a plain success). Built in: `mkdir -p` succeeds, and
 * `cat 'a' 'b' > 'c' && rm -f ...` concatenates files of the Map, as the shell tool uses it to join spilled parts.
 */
export function createFakeSession(
  script: (command: string, options: ExecOptions) => ScriptedExec | undefined = () => undefined,
): FakeSession {
  const calls: {command: string; options: ExecOptions}[] = []
  const files = new Map<string, Buffer>()
  let failingWrites = 0

  function builtIn(command: string): ScriptedExec | undefined {
    if (command.startsWith('mkdir -p ')) return {}
    const join = /^cat ((?:'[^']+' ?)+) > '([^']+)' && rm -f /.exec(command)
    if (!join) return undefined
    const parts = [...join[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!)
    const missing = parts.find((p) => !files.has(p))
    if (missing) return {result: {exitCode: 1, stderr: `cat: ${missing}: No such file`}}
    files.set(join[2]!, Buffer.concat(parts.map((p) => files.get(p)!)))
    for (const p of parts) files.delete(p)
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
      files.set(path, Buffer.isBuffer(data) ? data : Buffer.from(data))
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
