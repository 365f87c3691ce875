// The binary frame protocol spoken with the in-container runner (sandbox-images/default/rootfs/opt/sandbox-agent/runner.js).
//
// Frame: [type u8][id u32 BE][length u32 BE][payload]. Output frames carry raw bytes; control frames carry
// [json length u32 BE][json][optional raw tail]. The numbers must match runner.js's: protocol.test.ts compares them.

/**
 * The version this host speaks (and the runner in this checkout's image reports). 3: the runner starts as root and
 * runs commands as the agent (control channel out of their reach), readFile takes maxBytes and refuses non-regular
 * files, reset kills every agent process and empties home and /tmp, selftest adds {command, runner}. Images declare
 * it with the label dev.sandbox-agent.runner-protocol (see runner-user.ts). 4: listPage (the workspace listing in
 * pages, with what the agent made unreadable), FAIL replies carry the error's code. 5: commands start with an empty
 * capability bounding set (through setpriv; the runner holds CAP_SETPCAP for it), selftest reports the command's
 * capBnd and capInh. 6: the output bypass (exec {bypassAfter}, SWITCH and BYPASS frames; see output-bypass.ts).
 */
export const PROTOCOL_VERSION = 6
/** The version whose runner hands a command's stdout to the host's own reader past `bypassAfter` bytes. */
export const OUTPUT_BYPASS_VERSION = 6
/** The version that lists the workspace page by page (listPage); older runners answer `list` in one reply. */
export const LIST_PAGES_VERSION = 4
/**
 * The version that added stdin frames, readEntry, upload, remove and reset {keepWorkspace}; the host uses them only
 * with a runner at least this new (images built before it lack them). Stays 2 when PROTOCOL_VERSION moves on.
 */
export const FILE_CALLS_VERSION = 2
export const FRAME_HEADER_BYTES = 9

export const FrameType = {
  // host -> runner
  exec: 1,
  cancel: 2,
  credit: 3,
  call: 4,
  /** Input for a command started with `stdin: true`; an empty payload ends it. */
  stdin: 5,
  /** The host on its bypass reader: {ended} (read to the end), {stopped} (after EXIT) or {failed}. */
  bypass: 6,
  // runner -> host
  ready: 16,
  started: 17,
  stdout: 18,
  stderr: 19,
  exit: 20,
  reply: 21,
  fail: 22,
  /** The runner stopped reading a command's stdout here: {path} of its FIFO, for the host's reader. */
  switch: 23,
} as const

/** What the runner reports when a foreground command ends (or a background one starts). */
export interface RunnerExit {
  exitCode: number | null
  signal: string | null
  timedOut?: boolean
  canceled?: boolean
  oomKilled?: boolean
  backgroundPids: number[]
  logFile?: string
  error?: string
}

export interface ExecRequest {
  cmd: string
  cwd?: string
  env?: Record<string, string>
  timeoutMs?: number
  background?: boolean
  /** The command reads input the host sends in stdin frames (else its stdin is /dev/null). */
  stdin?: boolean
  /** Bytes of output the runner may send before it waits for credit. */
  window: number
  /** Stdout bytes after which the runner hands stdout to the host's reader (SWITCH); absent: never. */
  bypassAfter?: number
}

export function encodeFrame(type: number, id: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length)
  frame.writeUInt8(type, 0)
  frame.writeUInt32BE(id >>> 0, 1)
  frame.writeUInt32BE(payload.length, 5)
  payload.copy(frame, FRAME_HEADER_BYTES)
  return frame
}

export function encodeHeader(type: number, id: number, length: number): Buffer {
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES)
  head.writeUInt8(type, 0)
  head.writeUInt32BE(id >>> 0, 1)
  head.writeUInt32BE(length, 5)
  return head
}

/** A control frame as pieces to write in order; the tail (file contents, up to megabytes) is not copied. */
export function encodeControlParts(type: number, id: number, value: unknown, tail?: Buffer): Buffer[] {
  const json = Buffer.from(JSON.stringify(value))
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4 + json.length)
  head.writeUInt8(type, 0)
  head.writeUInt32BE(id >>> 0, 1)
  head.writeUInt32BE(4 + json.length + (tail?.length ?? 0), 5)
  head.writeUInt32BE(json.length, FRAME_HEADER_BYTES)
  json.copy(head, FRAME_HEADER_BYTES + 4)
  return tail && tail.length > 0 ? [head, tail] : [head]
}

export function encodeControl(type: number, id: number, value: unknown, tail?: Buffer): Buffer {
  const parts = encodeControlParts(type, id, value, tail)
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

export function encodeCredit(id: number, bytes: number): Buffer {
  const payload = Buffer.allocUnsafe(4)
  payload.writeUInt32BE(Math.min(bytes, 0xffffffff), 0)
  return encodeFrame(FrameType.credit, id, payload)
}

export function decodeControl<T>(payload: Buffer): {value: T; tail: Buffer} {
  const size = payload.readUInt32BE(0)
  const value = JSON.parse(payload.subarray(4, 4 + size).toString('utf8')) as T
  return {value, tail: payload.subarray(4 + size)}
}
