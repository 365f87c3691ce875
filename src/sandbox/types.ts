// The sandbox seam: what the agent, the tools and the commands may ask of a sandbox, with no Docker type in sight.
import type {SandboxSettings} from '../config/schema.js'

/** One piece of a running command's life, in the order it happened. */
export type ExecEvent =
  {type: 'stdout'; chunk: Buffer} | {type: 'stderr'; chunk: Buffer} | {type: 'exit'; result: ExecResult}

/** Output kept for later: bounded, with the head and tail preserved and the cut counted. */
export interface BoundedOutput {
  /** The kept text (head + marker + tail when cut). */
  text: string
  /** Total bytes the stream produced. */
  totalBytes: number
  /** Bytes left out of `text`. 0 when nothing was cut. */
  omittedBytes: number
}

/** One shape for success and failure (as execa does): the first termination reason wins. */
export interface ExecResult {
  exitCode: number | null
  /** Signal name (e.g. SIGKILL) when the process was killed by one. */
  signal: string | null
  timedOut: boolean
  canceled: boolean
  /** The container's memory limit killed the command. */
  oomKilled: boolean
  /** The container itself went away (killed, daemon gone) while the command ran. */
  containerGone: boolean
  durationMs: number
  stdout: BoundedOutput
  stderr: BoundedOutput
  /** PIDs (inside the container) of processes the command left running in the background. */
  backgroundPids: number[]
  /** Log file (inside the container) that receives the output of background processes, when there are any. */
  backgroundLog?: string
  /** A problem starting or running the command that is not its exit status (e.g. cwd missing). */
  error?: string
  /** One line per network request the sandbox's proxy refused (or could not complete) while the command ran. */
  networkNotes?: string[]
  /** The destinations the proxy refused because the allow list lacks them (a user may allow those), once each. */
  networkRefused?: RefusedDestination[]
}

/** A host (and port) the sandbox asked for and the allow list did not have. */
export interface RefusedDestination {
  host: string
  port: number
}

export interface ExecOptions {
  /** Working directory inside the container; absolute or relative to /workspace. */
  cwd?: string
  env?: Record<string, string>
  /** Kill the command's whole process group after this many ms. */
  timeoutMs?: number
  signal?: AbortSignal
  /** Start detached in its own process group; output goes to a log file in the container; returns at once. */
  background?: boolean
  /** Run with a pseudo-terminal (interactive programs). */
  tty?: boolean
  /** Cap on bytes of each stream kept in the result (the live stream is not capped). */
  maxOutputBytes?: number
}

export interface ExecHandle extends AsyncIterable<ExecEvent> {
  readonly result: Promise<ExecResult>
}

/**
 * A long-running command with its stdin open (a server spoken to over stdin/stdout, such as an MCP stdio server):
 * its output streams as an ExecHandle's does, with backpressure, and `write` sends bytes to its stdin at once (no
 * batching). End it with `end()` (closes stdin) or by aborting the `signal` it was spawned with (kills its process
 * group). It dies with the sandbox at the latest.
 */
export interface SpawnedProcess extends ExecHandle {
  /** Sends bytes to the command's stdin; ignored once the command ended. */
  write(data: Buffer): void
  /** Closes the command's stdin (it sees end of file). */
  end(): void
}

export interface DirEntry {
  name: string
  type: 'file' | 'directory' | 'symlink' | 'other'
  size: number
}

export type ChangeKind = 'added' | 'modified' | 'deleted'

export interface FileChange {
  /** Path relative to the workspace root, with forward slashes. */
  path: string
  kind: ChangeKind
  /** What the entry is in the sandbox now (for deleted: what it was). */
  entryType: 'file' | 'directory' | 'symlink' | 'other'
  binary: boolean
  /** Unified diff for text files (may be truncated; see diffTruncated). */
  diff?: string
  diffTruncated?: boolean
  size?: number
  sha256?: string
  mode?: number
  /** Permission bits of the entry as it was copied in (absent for added entries). */
  previousMode?: number
  linkTarget?: string
  /** The host copy changed since the session started (applying would overwrite someone's edit; apply refuses it). */
  hostChanged?: boolean
  /** What the apply policy decided (src/sandbox/changes/apply-policy.ts); renderers show it, apply obeys it. */
  verdict?: ChangeVerdict
}

export interface ApplyOptions {
  /** Also apply files that changed on the host since the session started (overwriting those edits). */
  force?: boolean
  /** The second confirmation: also apply sensitive paths and group/world-writable bits. */
  allowSensitive?: boolean
}

/** The apply policy's judgement of one change. */
export interface ChangeVerdict {
  /** Never applied, and why (`.git` anywhere, a link resolving outside the project, a device file...). */
  refused?: string
  /** Applied only with the second confirmation (--apply-sensitive, or yes to the list), and why. */
  sensitive?: string
  /** Gains group- or world-writable bits: applied without them unless the second confirmation was given. */
  writable?: boolean
  /** Permission bits before and after, when they change. */
  modeChange?: {from: number; to: number}
  /** A file that becomes executable (new with an executable bit, or gaining one). */
  gainsExec?: boolean
  /** A new or changed link: where it resolves in the final tree, through other links ('.' is the project root). */
  resolvesTo?: string
}

export interface ChangeSet {
  sessionId: string
  changes: FileChange[]
  /**
   * Entries the sandbox would not let the agent read (chmod 000 there): what they hold is unknown, so they are never
   * applied and their host copies (a directory's whole contents included) are neither changed nor deleted.
   */
  unreadable?: UnreadableEntry[]
  /**
   * More entries changed than sandbox.maxApplyFiles: `changes` stops at the limit, `count` is how many there are,
   * and apply writes nothing at all.
   */
  overLimit?: {count: number; limit: number}
}

/** An entry of the sandbox's workspace the listing could not look into or read. */
export interface UnreadableEntry {
  path: string
  /** What it is in the sandbox, when known (a name seen in a folder that cannot be searched has no type). */
  entryType?: FileChange['entryType']
  /** It was copied in from the host (its host copy stays as it is). */
  onHost: boolean
}

export interface RefusedEntry {
  path: string
  reason: string
}

export interface ApplyReport {
  applied: string[]
  refused: RefusedEntry[]
  /** Sensitive changes not applied for want of the second confirmation (still in the sandbox). */
  heldBack?: RefusedEntry[]
  /** Applied with group/world-writable bits removed (no second confirmation). */
  writableDropped?: string[]
  /** Unreadable in the sandbox, so not applied (their host copies untouched); see ChangeSet.unreadable. */
  unreadable?: string[]
  /** Nothing was applied: more entries changed than sandbox.maxApplyFiles allows. */
  overLimit?: {count: number; limit: number}
}

export interface ApplyOptions {
  /** Also apply files that changed on the host since the session started (overwriting those edits). */
  force?: boolean
}

/** What a session did with one host:port through its network proxy. */
export interface HostTraffic {
  allowed: number
  refused: number
  bytesUp: number
  bytesDown: number
}

/** The network part of a run's summary (sessions with a `sandbox.network` allow list). */
export interface NetworkSummary {
  /** `host:port` -> requests and bytes. */
  hosts: Record<string, HostTraffic>
  /** Set when the proxy stopped before the session ended: why. */
  proxyDown?: string
}

export interface SandboxSession extends AsyncDisposable {
  readonly id: string
  /** The host directory the workspace was copied from. */
  readonly hostWorkspace: string
  exec(command: string, options?: ExecOptions): ExecHandle
  /**
   * Starts `command` with its stdin open, as the sandbox's user, for as long as it runs (no timeout unless one is
   * given; `background` and `tty` do not apply). Absent on sessions that cannot do it.
   */
  spawn?(command: string, options?: Omit<ExecOptions, 'background' | 'tty'>): SpawnedProcess
  readFile(path: string): Promise<Buffer>
  writeFile(path: string, data: Buffer | string): Promise<void>
  list(path: string): Promise<DirEntry[]>
  changes(): Promise<ChangeSet>
  /** Applies the changes to the host workspace, refusing anything that would land outside it. */
  apply(changes: ChangeSet, options?: ApplyOptions): Promise<ApplyReport>
  /** Stops the container and keeps it (for `agent diff/apply/discard` later); 'removed' when a removal won. */
  keep(): Promise<void | 'removed'>
  /** Removes the container (and its volume). Idempotent. */
  close(): Promise<void>
  /** Requests per host through the session's proxy; undefined without an allow list. */
  networkSummary?(): NetworkSummary | undefined
  /**
   * Lets the session's proxy reach one more allow entry (`host`, `*.suffix` or `host:port`) from now on; only a
   * session with an allow list has it. The user's answer in interactive mode; the model never calls it.
   */
  allowHost?(entry: string): Promise<void>
  /** Where the sandbox runs, when the engine has several machines (the Swarm node's name). */
  readonly location?: string
  /** Why the sandbox is gone (its container or machine died), or undefined while it is there. */
  lost?(): string | undefined
}

export interface OpenOptions {
  signal?: AbortSignal
  /** Stop and keep the sandbox when the session is disposed or the process is interrupted. */
  keep?: boolean
  /** Use a warm idle sandbox of this workspace (same image and settings) if there is one; leave it warm after. */
  reuse?: boolean
  /** Overrides settings.mount (bind the project read-only, copy inside the sandbox). */
  mount?: boolean
  /** Overrides settings.image (else the default image). */
  image?: string
  /** Engines with several machines: keep off these (a retry after a node failed there). */
  placement?: {avoid: string[]}
  /**
   * The id the new session gets (from `newSandboxSessionId()`), so a caller can name it before the open finishes. A
   * fresh container is then always made for it: no warm-pool claim, no reuse (those bring their own id).
   */
  sessionId?: string
  /** Called once the engine answered and the image is there, before anything is created. */
  onChecked?: () => void
}

/** A session an agent process left behind when it died (its owner is gone). */
export interface OrphanSession {
  sessionId: string
}

/**
 * What starts and finds sandboxes: one implementation per orchestrator (`DockerSandboxEngine` today). Callers get one
 * from `createSandboxEngine` and use only this.
 */
export interface ResumeOptions {
  /** What disposing the re-opened session does (default 'keep'). */
  onExit?: 'keep' | 'remove'
}

export interface SandboxEngine {
  /** Starts a sandbox holding a copy of `workspace`, checked for isolation before it is handed out. */
  open(workspace: string, settings: SandboxSettings, options?: OpenOptions): Promise<SandboxSession>
  /**
   * Re-opens a kept session by id or unique id prefix (for `agent diff/apply`); dispose with keep() to keep it.
   * `onExit: 'remove'` re-opens it for more work (a resumed conversation): disposing removes it like a new session's.
   */
  resume(idOrPrefix: string, options?: ResumeOptions): Promise<SandboxSession>
  /** Removes a session and its record without starting it; returns its full id. */
  discard(idOrPrefix: string): Promise<string>
  /** Sessions whose agent process is gone. */
  orphans(): Promise<OrphanSession[]>
  /** Fails (one line) when sessions with these settings cannot open at all: engine unreachable, image missing. */
  check(settings: SandboxSettings): Promise<void>
  /** How many sessions with these settings the engine can hold at once (the default of `agent batch --parallel`). */
  capacity(settings: SandboxSettings): Promise<number>
}
