// The in-container command runner: the container's main process, speaking sandbox-agent's binary frame protocol on stdin/stdout.
//
// Frame: [type u8][id u32 BE][length u32 BE][payload]. Output is raw bytes; control payloads are
// [json length u32 BE][json][optional raw tail]. Plain Node >= 18, no dependencies: the image is all it has.
// Diagnostics go to stderr (the host logs them); stdout carries frames only.
import {spawn} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

// 2: STDIN frames (exec with stdin: true), readEntry, remove, reset {keepWorkspace}, batched output frames.
// 3: started as root, the runner keeps the control channel to itself and runs commands as the agent user; readFile
//    and writeFile refuse what is not a regular file; reset leaves no process or file of the agent user behind;
//    selftest reports what a command sees ({command}) and the runner's own credentials ({runner}).
// 4: listPage (the workspace listing page by page, with what the agent made unreadable); FAIL replies carry the
//    error's code.
// 5: commands start through setpriv with an empty capability bounding set (the runner holds CAP_SETPCAP for it);
//    selftest reports the command's CapBnd and CapInh.
// 6: output bypass: a command's stdout is a root-owned FIFO; past `bypassAfter` bytes the runner stops reading it and
//    sends SWITCH {path}, the host reads the rest through its own `docker exec` and answers with BYPASS {ended|failed}.
const PROTOCOL_VERSION = 6
const WORKSPACE = process.env.SANDBOX_AGENT_WORKSPACE || '/workspace'
const STATE_DIR = '/tmp/sandbox-agent'
const OOM_FIRST_FILE = new URL('oom-first.sh', import.meta.url).pathname
const HEADER = 9

// Host -> runner
const EXEC = 1
const CANCEL = 2
const CREDIT = 3
const CALL = 4
const STDIN = 5
const BYPASS = 6
// Runner -> host
const READY = 16
const STARTED = 17
const STDOUT = 18
const STDERR = 19
const EXIT = 20
const REPLY = 21
const FAIL = 22
const SWITCH = 23

const DEFAULT_WINDOW = 4 * 1024 * 1024
const KILL_GRACE_MS = 1000
/** After the shell exits, how long to wait for its pipes to close before moving leftover output to a log file. */
const DRAIN_WITH_SURVIVORS_MS = 30
const DRAIN_MS = 500

const sleeper = new Int32Array(new SharedArrayBuffer(4))
/** The user commands run as (the image's agent user). */
const AGENT_UID = 1000
const AGENT_GID = 1000
/** Largest file readFile returns unless the host asks for less. */
const READ_FILE_MAX = 64 * 1024 * 1024

// ---------------------------------------------------------------- privileges

/**
 * Started as root (the host does so when the image declares protocol 3), the runner keeps its real and saved uid 0, so
 * no process of the agent user can open /proc/<runner pid>/fd/*, ptrace it or signal it, and works with the agent's
 * effective uid and gid, so every file it makes belongs to the agent. The container grants only CAP_SETUID,
 * CAP_SETGID and CAP_SETPCAP; no-new-privileges holds. Started as the agent (an older host), nothing changes: commands
 * share its uid.
 */
const separated = process.getuid() === 0

/**
 * Every command goes through setpriv, started as root: it empties the capability bounding set (CAP_SETPCAP) before
 * taking the agent's ids (all three, no supplementary group), so the command holds no capability in any set, the
 * bounding set included. Node cannot call prctl itself; setpriv is util-linux's, in every Debian image.
 */
const SETPRIV = '/usr/bin/setpriv'
const SETPRIV_ARGS = [
  `--reuid=${AGENT_UID}`,
  `--regid=${AGENT_GID}`,
  '--clear-groups',
  '--bounding-set=-all',
  '--inh-caps=-all',
  '--',
]

function dropToAgent() {
  if (!separated) return
  process.setgroups([])
  process.setegid(AGENT_GID)
  process.seteuid(AGENT_UID)
}

/** child_process.spawn for anything the agent's commands may reach: it runs as the agent user, with no capability. */
function spawnAsAgent(command, args, options) {
  if (!separated) return spawn(command, args, options)
  process.seteuid(0)
  try {
    return spawn(SETPRIV, [...SETPRIV_ARGS, command, ...args], options)
  } finally {
    process.seteuid(AGENT_UID)
  }
}

// ---------------------------------------------------------------- standby

/**
 * Forking this Node process for every command cost ~2 ms of a command's round trip (most of it). One command process
 * is therefore spawned ahead (standby.pl), the same way and with the same options as a command's bash, and handed the
 * next command: it enters the directory, takes exactly the command's environment and execs `/bin/bash -c`. Its ids,
 * session and process group, limits and capabilities are those spawnAsAgent gives, as for a direct spawn; commands
 * with input, background commands, and any command while no standby is ready are spawned directly as before.
 */
const STANDBY_FILE = new URL('standby.pl', import.meta.url).pathname
/** The next command's process, waiting for its command; undefined while none is ready. */
let standby
/** Reset holds it back while it clears the agent's processes; a missing perl turns it off for good. */
let standbyHeld = false
let standbyBroken = false

function prepareStandby() {
  if (standby !== undefined || standbyHeld || standbyBroken) return
  const fifo = takeFifo()
  let child
  try {
    child = spawnAsAgent('/usr/bin/perl', [STANDBY_FILE], {
      cwd: '/',
      env: {},
      detached: true,
      stdio: ['pipe', fifo ? fifo.writeFd : 'pipe', 'pipe'],
    })
  } catch (error) {
    standbyBroken = true
    log(`no standby command process: ${error.message}`)
    dropFifo(fifo)
    return
  } finally {
    if (fifo) fs.closeSync(fifo.writeFd)
  }
  if (child.pid === undefined) {
    standbyBroken = true
    child.on('error', (error) => log(`no standby command process: ${error.message}`))
    dropFifo(fifo)
    return
  }
  child.fifo = fifo
  // It may be killed while it waits (the agent's `kill -KILL -1`): writing to it then fails, and it is not used.
  child.stdin.on('error', () => {})
  child.on('exit', () => {
    if (standby === child) discardStandby()
  })
  standby = child
}

/** Drops the standby (reset, or it was stopped): killed, never used. */
function discardStandby() {
  const child = standby
  standby = undefined
  if (child === undefined) return
  killGroup(child.pid, 'SIGKILL')
  dropFifo(child.fifo)
}

/** Whether the standby is there and waiting (not exited, not stopped by one of the agent's processes). */
function standbyWaiting(child) {
  if (child.exitCode !== null || child.signalCode !== null) return false
  try {
    const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'latin1')
    return 'SRD'.includes(stat[stat.lastIndexOf(')') + 2])
  } catch {
    return false
  }
}

/**
 * Starts `/bin/bash -c <command>` in cwd with env (as spawnAsAgent would, detached, stdout and stderr piped): through
 * the standby when one is waiting and the command reads no input, else spawned now. Returns the process and its two
 * output streams; stdout is a FIFO's read end when one was free (see the output bypass), else a pipe.
 */
function launchCommand(command, cwd, env, withInput) {
  const waiting = withInput ? undefined : takeStandby(command, cwd, env)
  if (waiting !== undefined) return launched(waiting, waiting.fifo)
  const fifo = withInput ? undefined : takeFifo()
  let child
  try {
    child = spawnAsAgent('/bin/bash', ['-c', command], {
      cwd,
      env,
      detached: true,
      stdio: [withInput ? 'pipe' : 'ignore', fifo ? fifo.writeFd : 'pipe', 'pipe'],
    })
  } catch (error) {
    dropFifo(fifo)
    throw error
  } finally {
    if (fifo) fs.closeSync(fifo.writeFd)
  }
  return launched(child, fifo)
}

function launched(child, fifo) {
  return {child, fifo, stdout: fifo ? fifoStream(fifo) : child.stdout, stderr: child.stderr}
}

function takeStandby(command, cwd, env) {
  const child = standby
  if (child === undefined) return undefined
  if (!standbyWaiting(child)) {
    discardStandby()
    return undefined
  }
  const fields = [cwd, command]
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    if (name.includes('=')) return undefined
    fields.push(`${name}=${value}`)
  }
  // What spawn would refuse (a NUL byte) is left to spawn, so the command fails the same way.
  if (fields.some((field) => field.includes('\0'))) return undefined
  standby = undefined
  const body = Buffer.from(fields.join('\0'))
  child.stdin.end(Buffer.concat([Buffer.from(`${body.length}\n`), body]))
  return child
}

// ---------------------------------------------------------------- output bypass

/**
 * Output through the runner costs its reads and writes and dockerd's attach path, per byte (~40% of a `docker exec`'s
 * speed on this path). So a command's stdout is a FIFO instead of a pipe, and once it has printed `bypassAfter` bytes
 * (the host asks for it) the runner stops reading it exactly there, sends SWITCH {path} after the output it read, and
 * the host reads the rest with its own `docker exec` reader (as root; see output-bypass.ts on the host). The command's
 * process, ids, limits and capabilities are the same either way; it holds the write end the runner gave it, as it held
 * a pipe's. The FIFOs are made by root in a directory only root can enter (/dev is a root tmpfs in every container,
 * and the read-only root file system leaves nothing else outside the agent's /tmp), so no process of the agent can
 * open one by name; each is root's with mode 0600, so not through /proc/<pid>/fd/1 of the command that holds its
 * write end either (that link skips the directory, not the file's own mode). Node has no mkfifo: they are made a batch at a time between commands, and one goes back to the pool
 * when only the runner ever read it and it saw every writer close it.
 */
const BYPASS_DIR = '/dev/sandbox-agent'
const FIFO_BATCH = 8
/** Bytes per read of a FIFO (its buffer grows to 1 MiB once the host's reader has it). */
const FIFO_READ_BYTES = 256 * 1024
const fifoPool = {free: [], next: 0, making: false, broken: true}

/** Before dropToAgent: the directory for the FIFOs, root's alone. */
function prepareBypassDir() {
  if (!separated) return false
  try {
    fs.mkdirSync(BYPASS_DIR, {mode: 0o700})
  } catch (error) {
    if (error.code !== 'EEXIST') {
      log(`no output bypass: ${error.message}`)
      return false
    }
  }
  const stat = fs.lstatSync(BYPASS_DIR)
  return stat.isDirectory() && stat.uid === 0 && (stat.mode & 0o777) === 0o700
}

function asRoot(fn) {
  process.seteuid(0)
  try {
    return fn()
  } finally {
    process.seteuid(AGENT_UID)
  }
}

/** Makes a batch of FIFOs in the background when few are left (between commands). */
function refillFifos() {
  if (fifoPool.broken || fifoPool.making || fifoPool.free.length >= FIFO_BATCH / 2) return
  const names = Array.from({length: FIFO_BATCH}, () => `${BYPASS_DIR}/out-${process.pid}-${++fifoPool.next}`)
  fifoPool.making = true
  const fail = (why) => {
    fifoPool.making = false
    fifoPool.broken = true
    log(`no output bypass: ${why}`)
  }
  let child
  try {
    // As root, so nothing of the container's environment (sandbox.env may name LD_PRELOAD in /workspace) is passed on.
    child = asRoot(() => spawn('/usr/bin/mkfifo', ['-m', '600', '--', ...names], {stdio: 'ignore', env: {}}))
  } catch (error) {
    return fail(error.message)
  }
  child.on('error', (error) => fail(error.message))
  child.on('exit', (code) => {
    if (code !== 0) return fail(`mkfifo exited ${code}`)
    fifoPool.making = false
    fifoPool.free.push(...names)
  })
}

/** A FIFO from the pool, open both ways: the runner keeps the read end, the command gets the write end. */
function takeFifo() {
  const file = fifoPool.free.shift()
  if (file === undefined) return undefined
  let readFd
  try {
    return asRoot(() => {
      const {O_RDONLY, O_WRONLY, O_NONBLOCK, O_NOFOLLOW} = fs.constants
      readFd = fs.openSync(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW)
      // A reader is there, so this does not block; the command's end stays blocking (its own open file description).
      return {path: file, readFd, writeFd: fs.openSync(file, O_WRONLY | O_NOFOLLOW)}
    })
  } catch (error) {
    if (readFd !== undefined) fs.closeSync(readFd)
    log(`output FIFO ${file}: ${error.message}`)
    return undefined
  }
}

/** A FIFO that someone else may have held or read: closed and removed, never reused. */
function dropFifo(fifo) {
  if (fifo === undefined || fifo.dropped) return
  fifo.dropped = true
  if (fifo.stream) fifo.stream.destroy()
  else {
    try {
      fs.closeSync(fifo.readFd)
    } catch {
      // closed already
    }
  }
  try {
    asRoot(() => fs.rmSync(fifo.path, {force: true}))
  } catch (error) {
    log(`output FIFO ${fifo.path}: ${error.message}`)
  }
}

/**
 * The read end as a stream that stops exactly when paused (onread: libuv stops reading at once, nothing is read ahead
 * into a buffer), so no byte is read by the runner once SWITCH is sent. Its chunks come as 'data' events. At its end
 * every writer has closed it: it goes back to the pool unless it was handed to the host's reader.
 */
function fifoStream(fifo) {
  const stream = new net.Socket({
    fd: fifo.readFd,
    readable: true,
    writable: false,
    onread: {
      buffer: () => Buffer.allocUnsafe(FIFO_READ_BYTES),
      callback: (n, buffer) => {
        stream.emit('data', buffer.subarray(0, n))
      },
    },
  })
  fifo.stream = stream
  stream.on('error', (error) => log(`output FIFO ${fifo.path}: ${error.message}`))
  stream.on('end', () => {
    if (fifo.dropped) return
    if (fifo.handedOut) return dropFifo(fifo)
    fifo.dropped = true
    fifoPool.free.push(fifo.path)
  })
  return stream
}

fifoPool.broken = !prepareBypassDir()

// ---------------------------------------------------------------- output

/**
 * fd 1 as a non-blocking stream when it is a pipe (it is, under Docker): the runner keeps reading commands' output
 * while the daemon drains what it wrote, and pauses them when the pipe is full (see updateFlow).
 */
function openOutput() {
  try {
    const socket = new net.Socket({fd: 1, readable: false, writable: true})
    socket.on('error', (error) => {
      if (error.code === 'EPIPE') process.exit(0)
      log(`stdout: ${error.message}`)
    })
    socket.on('drain', () => {
      for (const job of jobs.values()) updateFlow(job)
    })
    return socket
  } catch {
    return undefined
  }
}

const output = openOutput()

/**
 * fd 1 is a 64 KiB pipe into containerd-shim: with a full pipe every wake-up lets the runner write a page or two, and
 * each write costs the shim and dockerd a round. Grown to 1 MiB, a 256 KiB batch goes out in one write (measured: ~10%
 * less CPU per byte across runner, shim and dockerd). Node cannot fcntl; perl (Debian's essential perl-base) can, on
 * the pipe it inherits. Best effort: without perl, or past the user's pipe budget, the pipe stays as it was.
 */
function growOutputPipe() {
  try {
    if (!fs.fstatSync(1).isFIFO()) return
    const child = spawn('perl', ['-e', 'fcntl(STDOUT, 1031, 1 << 20) or fcntl(STDOUT, 1031, 1 << 18)'], {
      stdio: ['ignore', 1, 'ignore'],
    })
    child.on('error', () => {})
  } catch {
    // no perl, or fd 1 is not what we expected: keep the default pipe
  }
}

growOutputPipe()
// After growOutputPipe: its perl holds fd 1 for a moment and must not be the agent's.
dropToAgent()

function outputFull() {
  return output !== undefined && output.writableNeedDrain
}

function writeAll(buffers) {
  if (!output) return writeAllSync(buffers)
  output.cork()
  for (const buffer of buffers) if (buffer.length > 0) output.write(buffer)
  output.uncork()
}

/** Writes every byte of the buffers to fd 1, synchronously (when fd 1 is a file or a terminal). */
function writeAllSync(buffers) {
  let pending = buffers.filter((b) => b.length > 0)
  while (pending.length > 0) {
    let written
    try {
      written = fs.writevSync(1, pending)
    } catch (error) {
      if (error.code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 1)
        continue
      }
      if (error.code === 'EPIPE') process.exit(0)
      throw error
    }
    while (written > 0 && pending.length > 0) {
      const first = pending[0]
      if (written >= first.length) {
        written -= first.length
        pending.shift()
      } else {
        pending[0] = first.subarray(written)
        written = 0
      }
    }
  }
}

function header(type, id, length) {
  const head = Buffer.allocUnsafe(HEADER)
  head.writeUInt8(type, 0)
  head.writeUInt32BE(id >>> 0, 1)
  head.writeUInt32BE(length, 5)
  return head
}

// Commands' output is batched: a pipe delivers what a program wrote in one go (often 4 KiB), and writing each piece as
// its own frame costs a system call here, in containerd-shim and in dockerd, and an event on the host, per piece.
// Consecutive pieces of one stream of one command share a frame; the batch goes out as one writev when it is big enough,
// a moment after its first piece, or before any control frame (so an EXIT never overtakes its output).
const BATCH_BYTES = 256 * 1024
const BATCH_MS = 1
const batch = {buffers: [], bytes: 0, head: undefined, type: 0, id: 0, length: 0, timer: undefined}

function sendOutput(type, id, chunk) {
  if (batch.head !== undefined && batch.type === type && batch.id === id) {
    batch.length += chunk.length
    batch.head.writeUInt32BE(batch.length, 5)
  } else {
    batch.head = header(type, id, chunk.length)
    batch.type = type
    batch.id = id
    batch.length = chunk.length
    batch.buffers.push(batch.head)
  }
  batch.buffers.push(chunk)
  batch.bytes += chunk.length
  if (batch.bytes >= BATCH_BYTES) flushOutput([])
  else if (batch.timer === undefined) batch.timer = setTimeout(() => flushOutput([]), BATCH_MS)
}

/** Writes the batched output, then `after` (a control frame), in one go. */
function flushOutput(after) {
  if (batch.timer !== undefined) clearTimeout(batch.timer)
  batch.timer = undefined
  const buffers = batch.buffers.length === 0 ? after : [...batch.buffers, ...after]
  batch.buffers = []
  batch.bytes = 0
  batch.head = undefined
  if (buffers.length > 0) writeAll(buffers)
}

function sendJson(type, id, value, tail) {
  const json = Buffer.from(JSON.stringify(value))
  const size = Buffer.allocUnsafe(4)
  size.writeUInt32BE(json.length, 0)
  const rest = tail ?? Buffer.alloc(0)
  flushOutput([header(type, id, 4 + json.length + rest.length), size, json, rest])
}

function log(message) {
  try {
    fs.writeSync(2, `runner: ${message}\n`)
  } catch {
    // stderr gone: nothing to tell anyone.
  }
}

// ---------------------------------------------------------------- input

let inbox = []
let inboxBytes = 0

process.stdin.on('data', (chunk) => {
  inbox.push(chunk)
  inboxBytes += chunk.length
  while (inboxBytes >= HEADER) {
    const head = peek(HEADER)
    const length = head.readUInt32BE(5)
    if (inboxBytes < HEADER + length) break
    const frame = take(HEADER + length)
    try {
      dispatch(frame.readUInt8(0), frame.readUInt32BE(1), frame.subarray(HEADER))
    } catch (error) {
      log(`frame ${frame.readUInt8(0)} failed: ${error && error.stack}`)
    }
  }
})
// The host detaching is not the end: a kept-warm container waits for the next client. Its bypass readers stop with
// it, so the runner reads those commands' stdout again (or they would block on a full FIFO).
process.stdin.on('end', () => {
  log('stdin closed')
  for (const id of [...switchedJobs.keys()]) bypassDone(id, {stopped: true})
})

function peek(n) {
  if (inbox[0].length >= n) return inbox[0].subarray(0, n)
  return Buffer.concat(inbox).subarray(0, n)
}

function take(n) {
  const all = inbox.length === 1 ? inbox[0] : Buffer.concat(inbox)
  const frame = all.subarray(0, n)
  const rest = all.subarray(n)
  inbox = rest.length > 0 ? [rest] : []
  inboxBytes = rest.length
  return frame
}

function decodeControl(payload) {
  const size = payload.readUInt32BE(0)
  const value = JSON.parse(payload.subarray(4, 4 + size).toString('utf8'))
  return {value, tail: payload.subarray(4 + size)}
}

function dispatch(type, id, payload) {
  switch (type) {
    case EXEC: {
      startExec(id, decodeControl(payload).value)
      return
    }
    case CANCEL: {
      const job = jobs.get(id)
      if (job) terminate(job, 'canceled')
      return
    }
    case CREDIT: {
      const job = jobs.get(id)
      if (job) credit(job, payload.readUInt32BE(0))
      return
    }
    case CALL: {
      const {value, tail} = decodeControl(payload)
      void call(id, value, tail)
      return
    }
    case STDIN: {
      const job = jobs.get(id)
      if (job && job.stdin) feedStdin(job, payload)
      return
    }
    case BYPASS: {
      bypassDone(id, decodeControl(payload).value)
      return
    }
    default:
      log(`unknown frame type ${type}`)
  }
}

async function call(id, request, tail) {
  try {
    const handler = calls[request.op]
    if (!handler) throw new Error(`unknown call ${request.op}`)
    const result = await handler(request, tail)
    if (result && Buffer.isBuffer(result.tail)) sendJson(REPLY, id, result.value, result.tail)
    else sendJson(REPLY, id, result ?? {})
  } catch (error) {
    sendJson(FAIL, id, {message: String((error && error.message) || error), code: error && error.code})
  }
}

// ---------------------------------------------------------------- processes

/** Live foreground commands by request id. */
const jobs = new Map()
/** Process groups that must die with the session: background commands and what foreground commands left running. */
const backgroundGroups = new Set()
let backgroundCount = 0

function resolveCwd(cwd) {
  if (!cwd) return WORKSPACE
  return path.isAbsolute(cwd) ? cwd : path.join(WORKSPACE, cwd)
}

function checkDirectory(dir) {
  try {
    return fs.statSync(dir).isDirectory() ? undefined : `not a directory: ${dir}`
  } catch {
    return `directory not found: ${dir}`
  }
}

function readOomKills() {
  for (const file of ['/sys/fs/cgroup/memory.events', '/sys/fs/cgroup/memory/memory.oom_control']) {
    try {
      const match = /^oom_kill (\d+)$/m.exec(fs.readFileSync(file, 'utf8'))
      if (match) return Number(match[1])
    } catch {
      // not this cgroup version
    }
  }
  return 0
}

/** Live (non-zombie) processes whose process group is `pgid`. */
function groupMembers(pgid) {
  const members = []
  // Most commands leave nothing: one kill(0) says so without reading every process's stat (ESRCH: no member at all).
  try {
    process.kill(-pgid, 0)
  } catch (error) {
    if (error.code === 'ESRCH') return members
  }
  let names
  try {
    names = fs.readdirSync('/proc')
  } catch {
    return members
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue
    let stat
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1')
    } catch {
      continue
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(name))
  }
  return members
}

function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}

function startExec(id, request) {
  const cwd = resolveCwd(request.cwd)
  const problem = checkDirectory(cwd)
  // BASH_ENV: the command marks itself first in line for the OOM killer before its own code runs (see the file).
  const env = {...process.env, ...request.env, BASH_ENV: OOM_FIRST_FILE}
  delete env.SANDBOX_AGENT_WORKSPACE
  if (problem) {
    sendJson(EXIT, id, {exitCode: null, signal: null, error: problem, backgroundPids: []})
    return
  }
  if (request.background) {
    startBackground(id, request, cwd, env)
    return
  }
  const job = {
    id,
    window: request.window || DEFAULT_WINDOW,
    outstanding: 0,
    paused: false,
    reason: undefined,
    exit: undefined,
    openStreams: 2,
    survivors: [],
    detachedTo: undefined,
    timers: [],
    oomBefore: readOomKills(),
    child: undefined,
    stdout: undefined,
    stderr: undefined,
    fifo: undefined,
    /** Stdout bytes after which the host's reader takes over (0: never); see the output bypass. */
    bypassAfter: 0,
    stdoutBytes: 0,
    switched: false,
  }
  let launch
  try {
    launch = launchCommand(request.cmd, cwd, env, Boolean(request.stdin))
  } catch (error) {
    sendJson(EXIT, id, {exitCode: null, signal: null, error: String(error.message), backgroundPids: []})
    return
  }
  const {child} = launch
  job.child = child
  job.stdout = launch.stdout
  job.stderr = launch.stderr
  job.fifo = launch.fifo
  if (launch.fifo && request.bypassAfter > 0) job.bypassAfter = request.bypassAfter
  jobs.set(id, job)
  if (request.stdin) {
    job.stdin = child.stdin
    // The command may exit without reading it all: what is still sent is dropped.
    child.stdin.on('error', () => releaseInput(job))
    child.stdin.on('close', () => releaseInput(job))
  }
  child.on('error', (error) => {
    if (job.exit) return
    job.exit = {code: null, signal: null, error: String(error.message)}
    job.openStreams = 0
    finish(job)
  })
  if (child.pid === undefined) return
  job.pgid = child.pid
  sendJson(STARTED, id, {pid: child.pid})
  if (request.timeoutMs > 0) job.timers.push(setTimeout(() => terminate(job, 'timedOut'), request.timeoutMs))
  pump(job, job.stdout, STDOUT)
  pump(job, job.stderr, STDERR)
  child.on('exit', (code, signal) => {
    job.exit = {code, signal}
    job.survivors = job.reason ? [] : groupMembers(job.pgid)
    if (job.openStreams === 0) return finish(job)
    armDrain(job, job.survivors.length > 0 ? DRAIN_WITH_SURVIVORS_MS : DRAIN_MS)
  })
}

function pump(job, stream, type) {
  stream.on('data', (chunk) => {
    if (job.detachedTo !== undefined) {
      appendLog(job.detachedTo, chunk)
      return
    }
    sendOutput(type, job.id, chunk)
    job.outstanding += chunk.length
    if (type === STDOUT && job.bypassAfter > 0 && !job.switched) {
      job.stdoutBytes += chunk.length
      if (job.stdoutBytes >= job.bypassAfter) switchOutput(job)
    }
    updateFlow(job)
  })
  stream.on('close', () => {
    job.openStreams -= 1
    if (job.openStreams === 0 && job.exit) finish(job)
  })
}

// Input for a command (the host streams it in STDIN frames; an empty frame ends it). When the command reads slower than
// the host sends, the runner stops reading its own stdin until the command catches up: frames for other requests wait
// behind the input meanwhile, which is why only the workspace upload streams input.
let inputHeldBy
/** Input queued for a command beyond which the runner stops reading (a few host frames). */
const INPUT_BUFFER = 1024 * 1024

function feedStdin(job, payload) {
  if (payload.length === 0) {
    job.stdin.end()
    return
  }
  if (job.stdin.destroyed || job.stdin.writableEnded) return
  job.stdin.write(payload)
  if (job.stdin.writableLength > INPUT_BUFFER && inputHeldBy === undefined) {
    inputHeldBy = job
    process.stdin.pause()
    job.stdin.once('drain', () => releaseInput(job))
  }
}

function releaseInput(job) {
  if (inputHeldBy !== job) return
  inputHeldBy = undefined
  process.stdin.resume()
}

function credit(job, bytes) {
  job.outstanding = Math.max(0, job.outstanding - bytes)
  updateFlow(job)
}

/** Pauses a command's output while the host owes credit or our stdout pipe is full; resumes when neither holds. */
function updateFlow(job) {
  if (job.detachedTo !== undefined || job.finished) return
  const hold = job.outstanding >= job.window || outputFull()
  if (hold === job.paused) return
  job.paused = hold
  if (hold) {
    if (!job.switched) job.stdout.pause()
    job.stderr.pause()
  } else {
    if (!job.switched) job.stdout.resume()
    job.stderr.resume()
  }
}

/**
 * Past `bypassAfter` bytes: stop reading stdout right here (nothing is read ahead), send what was read, then SWITCH;
 * the host's reader takes the FIFO from there. The job's stdout counts as open until the host says its reader saw the
 * end (BYPASS {ended}), or, when the command leaves processes holding it, until the drain finishes the job.
 */
function switchOutput(job) {
  job.switched = true
  job.fifo.handedOut = true
  job.stdout.pause()
  sendJson(SWITCH, job.id, {path: job.fifo.path})
  switchedJobs.set(job.id, job)
}

/** Jobs whose stdout the host's reader has, until the host reports on it (they may outlive their EXIT). */
const switchedJobs = new Map()

/**
 * The host on its reader: {ended} it read to the end (every writer closed the FIFO); {stopped} it stopped reading after
 * the job's EXIT (processes the command left still hold stdout: the rest goes to the job's log, as without the
 * bypass); {failed} it never read, or lost its stream: the runner reads stdout itself again.
 */
function bypassDone(id, report) {
  const job = switchedJobs.get(id)
  if (job === undefined) return
  switchedJobs.delete(id)
  if (report.ended) {
    dropFifo(job.fifo)
    return
  }
  // Finished (by the drain), its 'data' goes to the job's log like the rest of what its leftovers print.
  if (job.finished) job.detachedTo ??= `${STATE_DIR}/bg-${job.pgid}.log`
  job.switched = false
  job.bypassAfter = 0
  if (job.finished || !job.paused) job.stdout.resume()
}

/** The shell is gone but its pipes are still open (a process it left behind holds them): stop waiting after a while. */
function armDrain(job, ms) {
  const timer = setTimeout(() => {
    if (jobs.get(job.id) !== job) return
    if (job.paused) return armDrain(job, ms)
    if (job.survivors.length === 0) job.survivors = groupMembers(job.pgid)
    // A switched stdout stays with the host's reader, which reads to the end or, once it has caught up after this
    // EXIT, is stopped by the host (BYPASS {stopped}); a log is named only when something else is left to go there.
    if (!job.switched || job.openStreams > 1 || job.survivors.length > 0)
      job.detachedTo = `${STATE_DIR}/bg-${job.pgid}.log`
    if (!job.switched) job.stdout.resume()
    job.stderr.resume()
    finish(job)
  }, ms)
  job.timers.push(timer)
}

function appendLog(file, chunk) {
  try {
    fs.appendFileSync(file, chunk, {mode: 0o600})
  } catch {
    // /tmp full: the output is lost, the process keeps running.
  }
}

function terminate(job, reason) {
  if (job.reason || job.finished) return
  job.reason = reason
  if (!killGroup(job.pgid, 'SIGTERM')) return
  const timer = setTimeout(() => killGroup(job.pgid, 'SIGKILL'), KILL_GRACE_MS)
  timer.unref()
}

function finish(job) {
  if (job.finished) return
  job.finished = true
  jobs.delete(job.id)
  releaseInput(job)
  for (const timer of job.timers) clearTimeout(timer)
  const {code, signal, error} = job.exit
  const oomKilled = signal === 'SIGKILL' && readOomKills() > job.oomBefore
  if (job.survivors.length > 0) backgroundGroups.add(job.pgid)
  sendJson(EXIT, job.id, {
    exitCode: code,
    signal,
    timedOut: job.reason === 'timedOut',
    canceled: job.reason === 'canceled',
    oomKilled,
    backgroundPids: job.survivors,
    logFile: job.detachedTo,
    error,
  })
  // Between commands: the next one's process (and FIFOs when few are left) made while nothing waits for them.
  setTimeout(() => {
    prepareStandby()
    refillFifos()
  }, 0)
}

function startBackground(id, request, cwd, env) {
  backgroundCount += 1
  const logFile = `${STATE_DIR}/bg-job-${backgroundCount}.log`
  let fd
  try {
    fd = fs.openSync(logFile, 'a', 0o600)
    const child = spawnAsAgent('/bin/bash', ['-c', request.cmd], {cwd, env, detached: true, stdio: ['ignore', fd, fd]})
    child.on('error', (error) => log(`background ${id}: ${error.message}`))
    if (child.pid === undefined) throw new Error('could not start bash')
    backgroundGroups.add(child.pid)
    child.unref()
    sendJson(EXIT, id, {exitCode: null, signal: null, backgroundPids: [child.pid], logFile})
  } catch (error) {
    sendJson(EXIT, id, {exitCode: null, signal: null, error: String(error.message), backgroundPids: []})
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** Kills every background group (TERM, then KILL after a grace period); resolves when they are gone. */
async function killBackground(graceMs) {
  const groups = [...backgroundGroups]
  const alive = groups.filter((pgid) => killGroup(pgid, 'SIGTERM'))
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline && alive.some((pgid) => groupMembers(pgid).length > 0)) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  for (const pgid of groups) killGroup(pgid, 'SIGKILL')
  backgroundGroups.clear()
  return alive.length
}

// ---------------------------------------------------------------- files

const ENTRY_TYPE = (stat) =>
  stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : 'other'
const TYPE_CHAR = (stat) => (stat.isFile() ? 'f' : stat.isDirectory() ? 'd' : stat.isSymbolicLink() ? 'l' : 'o')

/**
 * Whether the runner (working as the agent) may read an entry: a directory needs read and search, anything else read.
 * Decided from the mode the way the kernel does it (owner class, else group, else other); the runner holds no
 * capability that would override it.
 */
function canRead(stat) {
  const bits = stat.isDirectory() ? 5 : 4
  const shift = stat.uid === process.geteuid() ? 6 : stat.gid === process.getegid() ? 3 : 0
  return ((stat.mode >> shift) & bits) === bits
}

/**
 * Every entry under root, never following links, depth first, one at a time: {row: [path, type, size, mtimeMs, mode,
 * linkTarget?]} or {unreadable: path} for what the agent made unreadable (chmod 000): such a directory is listed as an
 * entry and then as unreadable, and nothing below it is known, so the host must not take its contents for deleted.
 */
function* walkEntries(root) {
  const stack = ['']
  while (stack.length > 0) {
    const rel = stack.pop()
    let names
    try {
      names = fs.readdirSync(rel ? path.join(root, rel) : root)
    } catch (error) {
      if (rel && error.code !== 'ENOENT') yield {unreadable: rel}
      continue
    }
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name
      let stat
      try {
        stat = fs.lstatSync(path.join(root, relPath))
      } catch (error) {
        if (error.code !== 'ENOENT') yield {unreadable: relPath}
        continue
      }
      const type = TYPE_CHAR(stat)
      const row = [relPath, type, stat.size, Math.trunc(stat.mtimeMs), stat.mode & 0o7777]
      if (type === 'l') {
        try {
          row.push(fs.readlinkSync(path.join(root, relPath)))
        } catch {
          row.push('')
        }
      }
      yield {row}
      if ((type === 'd' || type === 'f') && !canRead(stat)) yield {unreadable: relPath}
      else if (type === 'd') stack.push(relPath)
    }
  }
}

/** Every entry under root as rows (the protocol 2-3 `list` call, which older hosts use). */
function walk(root) {
  const entries = []
  for (const item of walkEntries(root)) if (item.row) entries.push(item.row)
  return entries
}

/** Listings handed out page by page (listPage), by token; the oldest is dropped past a few (a host that went away). */
const listings = new Map()
let nextListing = 1
const LIST_PAGE_MAX = 20000
const OPEN_LISTINGS_MAX = 4

/**
 * One page of a listing: up to `max` items, so neither the runner's reply nor the host holds the whole tree at once.
 * The first call (no token) starts the walk.
 */
function listPage(request) {
  let token = request.token
  let walker = token === undefined ? undefined : listings.get(token)
  if (token === undefined) {
    token = nextListing++
    walker = walkEntries(request.root || WORKSPACE)
    listings.set(token, walker)
    if (listings.size > OPEN_LISTINGS_MAX) listings.delete(listings.keys().next().value)
  }
  if (!walker) throw new Error(`no listing ${token} (it was dropped); start it again`)
  const max = Math.min(Math.max(1, request.max || LIST_PAGE_MAX), LIST_PAGE_MAX)
  const entries = []
  const unreadable = []
  let done = false
  while (entries.length + unreadable.length < max) {
    const next = walker.next()
    if (next.done) {
      done = true
      break
    }
    if (next.value.row) entries.push(next.value.row)
    else unreadable.push(next.value.unreadable)
  }
  if (done) listings.delete(token)
  return {token, entries, unreadable, done}
}

const TYPE_NAME = (stat) =>
  stat.isFIFO()
    ? 'a FIFO'
    : stat.isCharacterDevice()
      ? 'a character device'
      : stat.isBlockDevice()
        ? 'a block device'
        : stat.isSocket()
          ? 'a socket'
          : stat.isDirectory()
            ? 'a directory'
            : 'not a regular file'

function notRegular(file, stat) {
  const error = new Error(
    `${file} is ${TYPE_NAME(stat)}, not a regular file; the file tools read and write regular files only`,
  )
  error.code = 'ENOTREG'
  return error
}

/**
 * Opens a file without ever blocking the runner: O_NONBLOCK (a FIFO opens at once, or fails), then fstat of what was
 * really opened; anything but a regular file (device, FIFO, socket, also through a link) is refused.
 */
function openRegular(file, flags, mode) {
  let fd
  try {
    fd = fs.openSync(file, flags | fs.constants.O_NONBLOCK, mode)
  } catch (error) {
    // A FIFO opened for writing with no reader.
    if (error.code === 'ENXIO') throw notRegular(file, {isFIFO: () => true})
    throw error
  }
  const stat = fs.fstatSync(fd)
  if (!stat.isFile()) {
    fs.closeSync(fd)
    throw notRegular(file, stat)
  }
  return {fd, stat}
}

/** A regular file's bytes, refusing more than maxBytes (the file may grow while it is read). */
function readRegular(file, maxBytes) {
  const {fd, stat} = openRegular(file, fs.constants.O_RDONLY)
  try {
    if (stat.size > maxBytes) throw tooLarge(file, maxBytes)
    const chunks = []
    let length = 0
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - length))
      const n = fs.readSync(fd, buffer, 0, buffer.length, null)
      if (n === 0) break
      chunks.push(buffer.subarray(0, n))
      length += n
      if (length > maxBytes) throw tooLarge(file, maxBytes)
    }
    return Buffer.concat(chunks, length)
  } finally {
    fs.closeSync(fd)
  }
}

function tooLarge(file, maxBytes) {
  const error = new Error(`${file} is larger than ${maxBytes} bytes`)
  error.code = 'EFBIG'
  return error
}

function sha256File(file) {
  const hash = crypto.createHash('sha256')
  const {fd} = openRegular(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null)
      if (n === 0) break
      hash.update(buffer.subarray(0, n))
    }
  } finally {
    fs.closeSync(fd)
  }
  return hash.digest('hex')
}

function runTo(command, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawnAsAgent(command, args, {stdio: ['pipe', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed: ${stderr.trim()}`))))
    child.stdin.end(input)
  })
}

function probeTcp(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = net.connect({host, port})
    const done = (result) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () => done('timeout'))
    socket.on('connect', () => done('connected'))
    socket.on('error', (error) => done(error.code || 'error'))
  })
}

function statusField(name, status = fs.readFileSync('/proc/self/status', 'utf8')) {
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)
  return match ? match[1].trim() : ''
}

/** What a command sees of itself: /proc/self/status of a process started exactly as commands are (launchCommand). */
function commandStatus() {
  return new Promise((resolve, reject) => {
    const {child, stdout, stderr} = launchCommand('exec /bin/cat /proc/self/status', '/', {}, false)
    let text = ''
    stdout.on('data', (chunk) => (text += chunk))
    stderr.resume()
    child.on('error', reject)
    // stdout may be a FIFO (not one of the child's own pipes, so 'close' of the child does not wait for it).
    stdout.on('close', () => resolve(text))
  })
}

/** Real, effective and saved ids from a status line ("Uid:\t0\t1000\t0\t1000"). */
function ids(line) {
  const [real, effective, saved] = line.split(/\s+/).map(Number)
  return {real, effective, saved}
}

// ---------------------------------------------------------------- reuse

/** Pids of live processes whose real uid is `uid` (the runner itself never is: its real uid stays 0). */
function processesOf(uid) {
  const pids = []
  for (const name of fs.readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57 || Number(name) === process.pid) continue
    try {
      const status = fs.readFileSync(`/proc/${name}/status`, 'latin1')
      if (statusField('State', status).startsWith('Z')) continue
      if (ids(statusField('Uid', status)).real === uid) pids.push(Number(name))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

/**
 * Kills every process of the agent user, however it detached (setsid, double fork), and waits until none is left.
 * `kill -KILL -1` from a process of the agent signals all of them at once (a fork loop cannot outrun it); the runner
 * is out of its reach. Rejects when some survive.
 */
async function killAgentProcesses() {
  for (let round = 0; round < 20; round += 1) {
    if (processesOf(AGENT_UID).length === 0) return
    await new Promise((resolve) => {
      const child = spawnAsAgent('/bin/bash', ['-c', 'kill -KILL -1 2>/dev/null; exit 0'], {stdio: 'ignore'})
      child.on('error', resolve)
      child.on('close', resolve)
    })
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const left = processesOf(AGENT_UID)
  if (left.length > 0) throw new Error(`processes of the agent user survived the reset: ${left.join(', ')}`)
}

/** Empties a directory the agent can write (home, /tmp, /dev/shm), making its own unreadable directories removable. */
function emptyDirectory(dir) {
  let names
  try {
    names = fs.readdirSync(dir)
  } catch (error) {
    if (error.code === 'ENOENT') return
    throw error
  }
  for (const name of names) {
    const entry = path.join(dir, name)
    const stat = fs.lstatSync(entry)
    if (stat.isDirectory()) {
      if ((stat.mode & 0o700) !== 0o700) fs.chmodSync(entry, stat.mode | 0o700)
      emptyDirectory(entry)
    }
    fs.rmSync(entry, {recursive: true, force: true})
  }
}

/**
 * Gives the owner (the agent: the runner works as its effective uid) full access to every directory under `dir` that
 * the agent made unreadable or unwritable (`chmod 000`), so a reused workspace can be refreshed in place: the host's
 * tar writes into those folders, restores their modes, and removes what the project no longer has.
 */
function reopenDirectories(dir) {
  const stat = fs.lstatSync(dir)
  if (!stat.isDirectory()) return
  if ((stat.mode & 0o700) !== 0o700) fs.chmodSync(dir, stat.mode | 0o700)
  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    if (entry.isDirectory()) reopenDirectories(path.join(dir, entry.name))
  }
}

const calls = {
  ping: () => ({version: PROTOCOL_VERSION}),

  /** What the host checks before trusting the sandbox (fail closed). */
  selftest: async (request) => {
    let interfaces
    try {
      interfaces = fs.readdirSync('/sys/class/net')
    } catch {
      interfaces = Object.keys(os.networkInterfaces())
    }
    // Side by side: on an allow-list network nothing answers, so each probe waits out its timeout.
    const targets = request.probes || []
    const outcomes = await Promise.all(targets.map((t) => probeTcp(t.host, t.port, t.timeoutMs || 1500)))
    const probes = Object.fromEntries(targets.map((t, i) => [`${t.host}:${t.port}`, outcomes[i]]))
    const own = fs.readFileSync('/proc/self/status', 'utf8')
    const command = await commandStatus()
    const commandUid = ids(statusField('Uid', command))
    const commandGid = ids(statusField('Gid', command))
    return {
      // What commands run with (their uid, gid and capabilities), checked by the host.
      uid: commandUid.real,
      gid: commandGid.real,
      capEff: statusField('CapEff', command),
      noNewPrivs: statusField('NoNewPrivs', command),
      command: {
        uid: [commandUid.real, commandUid.effective, commandUid.saved],
        gid: [commandGid.real, commandGid.effective, commandGid.saved],
        groups: statusField('Groups', command),
        capPrm: statusField('CapPrm', command),
        capAmb: statusField('CapAmb', command),
        capInh: statusField('CapInh', command),
        capBnd: statusField('CapBnd', command),
      },
      runner: {
        separated,
        uid: ids(statusField('Uid', own)).real,
        capPrm: statusField('CapPrm', own),
        capEff: statusField('CapEff', own),
      },
      interfaces,
      probes,
      dockerSocket: fs.existsSync('/var/run/docker.sock') || fs.existsSync('/run/docker.sock'),
      env: Object.keys(process.env),
    }
  },

  list: (request) => ({entries: walk(request.root || WORKSPACE)}),

  listPage,

  hash: (request) => {
    const root = request.root || WORKSPACE
    const hashes = {}
    for (const rel of request.paths) {
      try {
        hashes[rel] = sha256File(path.join(root, rel))
      } catch {
        hashes[rel] = null
      }
    }
    return {hashes}
  },

  readFile: (request) => {
    const file = resolveCwd(request.path)
    const data = readRegular(file, Math.min(request.maxBytes ?? READ_FILE_MAX, READ_FILE_MAX))
    return {value: {size: data.length}, tail: data}
  },

  /** One workspace entry for the host's diff: links are never followed; a regular file's bytes up to maxBytes. */
  readEntry: (request) => {
    const file = resolveCwd(request.path)
    const stat = fs.lstatSync(file)
    const value = {type: ENTRY_TYPE(stat), size: stat.size, mode: stat.mode & 0o7777}
    if (value.type === 'symlink') value.linkTarget = fs.readlinkSync(file)
    if (value.type !== 'file') return {value}
    if (stat.size > request.maxBytes) return {value: {...value, tooLarge: true}}
    // O_NONBLOCK: a fifo swapped in after the lstat must not hang the runner; fstat says what was really opened.
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK)
    try {
      const opened = fs.fstatSync(fd)
      if (!opened.isFile()) return {value: {...value, type: ENTRY_TYPE(opened)}}
      // Read to the end (the file may have grown since the stat), stopping once past maxBytes.
      const chunks = []
      let length = 0
      let room = Math.min(opened.size, request.maxBytes) + 1
      for (;;) {
        const buffer = Buffer.allocUnsafe(room)
        const n = fs.readSync(fd, buffer, 0, room, null)
        if (n === 0) break
        chunks.push(buffer.subarray(0, n))
        length += n
        if (length > request.maxBytes) return {value: {...value, tooLarge: true}}
        room = Math.min(1 << 20, request.maxBytes + 1 - length)
      }
      const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
      return {value: {...value, size: length, mode: opened.mode & 0o7777}, tail: data}
    } finally {
      fs.closeSync(fd)
    }
  },

  writeFile: (request, tail) => {
    const file = resolveCwd(request.path)
    fs.mkdirSync(path.dirname(file), {recursive: true})
    const {fd} = openRegular(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, request.mode ?? 0o644)
    try {
      fs.ftruncateSync(fd, 0)
      for (let offset = 0; offset < tail.length;) offset += fs.writeSync(fd, tail, offset, tail.length - offset)
    } finally {
      fs.closeSync(fd)
    }
    return {size: tail.length}
  },

  listDir: (request) => {
    const dir = resolveCwd(request.path)
    return {
      entries: fs.readdirSync(dir).map((name) => {
        const stat = fs.lstatSync(path.join(dir, name))
        const type = TYPE_CHAR(stat)
        return {name, type: {f: 'file', d: 'directory', l: 'symlink', o: 'other'}[type], size: stat.size}
      }),
    }
  },

  /** --mount mode: copy the listed files from the read-only project mount into the writable workspace. */
  copyTree: async (request) => {
    const list = Buffer.from(request.paths.map((p) => `${p}\0`).join(''))
    await runTo(
      '/bin/bash',
      [
        '-c',
        'set -o pipefail; tar -C "$0" --null --no-recursion -T - -cf - | tar -C "$1" -xpf -',
        request.from,
        request.to || WORKSPACE,
      ],
      list,
    )
    return {copied: request.paths.length}
  },

  killBackground: async (request) => ({killed: await killBackground(request.graceMs ?? 500)}),

  /**
   * Reuse: as clean as a fresh container. Every process of the agent user is killed (not only the ones the runner
   * knows), home, /tmp and /dev/shm are emptied; the workspace is emptied for a fresh copy unless the host updates it
   * in place (then its folders are opened to their owner again, whatever modes the last run left). Fails (and the host
   * then removes the container) when it cannot get there.
   */
  reset: async (request) => {
    standbyHeld = true
    discardStandby()
    try {
      for (const job of jobs.values()) terminate(job, 'canceled')
      await killBackground(300)
      if (separated) {
        await killAgentProcesses()
        for (const dir of [process.env.HOME || '/home/agent', '/tmp', '/dev/shm']) emptyDirectory(dir)
        fs.mkdirSync(STATE_DIR, {recursive: true, mode: 0o700})
      }
      if (request.keepWorkspace) {
        reopenDirectories(WORKSPACE)
        return {ok: true, kept: true}
      }
      emptyDirectory(WORKSPACE)
      return {ok: true}
    } finally {
      standbyHeld = false
      setTimeout(prepareStandby, 0)
    }
  },

  /** Reuse: removes entries (relative to root, recursively) the project no longer has. */
  remove: (request) => {
    const root = request.root || WORKSPACE
    for (const rel of request.paths) {
      if (rel === '' || path.isAbsolute(rel) || rel.split('/').includes('..'))
        throw new Error(`refusing to remove ${rel}`)
    }
    for (const rel of request.paths) fs.rmSync(path.join(root, rel), {recursive: true, force: true})
    return {removed: request.paths.length}
  },

  oomKills: () => ({count: readOomKills()}),
}

// ---------------------------------------------------------------- start

try {
  fs.mkdirSync(STATE_DIR, {recursive: true, mode: 0o700})
} catch (error) {
  log(`cannot create ${STATE_DIR}: ${error.message}`)
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => {
    for (const pgid of backgroundGroups) killGroup(pgid, 'SIGKILL')
    for (const job of jobs.values()) killGroup(job.pgid, 'SIGKILL')
    discardStandby()
    for (const job of switchedJobs.values()) dropFifo(job.fifo)
    process.exit(0)
  })
}
sendJson(READY, 0, {version: PROTOCOL_VERSION, pid: process.pid, node: process.version})
refillFifos()
prepareStandby()
