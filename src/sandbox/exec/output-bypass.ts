// The host's side of the output bypass: a `docker exec` reader that takes over a command's stdout FIFO from the runner.
import {setTimeout as sleep} from 'node:timers/promises'
import type {Duplex} from 'node:stream'
import type Dockerode from 'dockerode'

import {DockerStreamDemuxer} from '../runner/chunk-reader.js'

/**
 * Output through the runner is framed, written into the container's attach stream and forwarded by dockerd at
 * ~40% of a `docker exec`'s speed. Past a few MiB of a command's stdout the runner stops reading it (SWITCH), and this
 * reader, started by the host like any `docker exec`, reads the rest straight from the FIFO the command writes into.
 */
export const BYPASS_AFTER_BYTES = 4 * 1024 * 1024

/** The directory only root can enter where the runner makes its FIFOs (see runner.js, "output bypass"). */
export const BYPASS_DIR = '/dev/sandbox-agent'
/** The only FIFOs a reader opens: the runner's, in that directory. */
const RUNNER_FIFO = /^\/dev\/sandbox-agent\/out-\d+-\d+$/
/**
 * The reader's first bytes, once it has checked and opened the FIFO. When an exec cannot start (the PID limit, say),
 * dockerd writes its error ("OCI runtime exec failed: ...") into the exec's stdout: without this mark the host would
 * take that line for the command's output.
 */
const STARTED_MARK = 'sandbox-agent reader\n'

/**
 * Runs as uid 0 like the runner, so no process of the agent can signal, trace or stop it, but with no capability and
 * no-new-privileges (see `readerCommand`). Before reading it checks what it opened: the directory must be root's
 * alone (mode 0700), the entry a FIFO owned by root that nobody else may open, opened without following a link (so
 * nothing planted there, a link or a device, is read). It opens the FIFO without waiting for a writer (the command
 * may be gone, its output still buffered), reads blocking, up to 1 MiB at a time from a pipe grown to 1 MiB (its own
 * stdout too, so the daemon's side reads fewer, larger pieces), and writes only to its stdout, until every writer
 * closed the FIFO (exit 0) or its stdin closes (the host stops it: exit 3); what it has not read stays in the FIFO for
 * the runner. Exit 2: not the runner's FIFO. Perl's taint mode (-T) ignores PERL5LIB and PERL5OPT, a second layer
 * under the cleared environment. No module beyond Fcntl's constants.
 */
const READER = `use strict; use Fcntl qw(O_RDONLY O_NONBLOCK O_NOFOLLOW F_GETFL F_SETFL);
my @dir = lstat('${BYPASS_DIR}');
exit 2 unless @dir && -d _ && $dir[4] == 0 && ($dir[2] & 07777) == 0700;
sysopen(my $in, $ARGV[0], O_RDONLY | O_NONBLOCK | O_NOFOLLOW) or exit 2;
my @fifo = stat($in);
exit 2 unless @fifo && -p _ && $fifo[4] == 0 && ($fifo[2] & 077) == 0;
fcntl($in, F_SETFL, fcntl($in, F_GETFL, 0) & ~O_NONBLOCK) or exit 1;
fcntl($in, 1031, 1 << 20);
fcntl(STDOUT, 1031, 1 << 20);
syswrite(STDOUT, '${STARTED_MARK}') == ${STARTED_MARK.length} or exit 1;
my ($watch, $buffer) = ('', '');
vec($watch, fileno($in), 1) = 1;
vec($watch, fileno(STDIN), 1) = 1;
while (1) {
  select(my $ready = $watch, undef, undef, undef) > 0 or next;
  exit 3 if vec($ready, fileno(STDIN), 1);
  my $n = sysread($in, $buffer, 1 << 20);
  exit(defined $n ? 0 : 1) unless $n;
  for (my $done = 0; $done < $n;) {
    my $written = syswrite(STDOUT, $buffer, $n - $done, $done) or exit 1;
    $done += $written;
  }
}`

/**
 * `docker exec -u 0` gives a process the container's capabilities (the runner's SETUID, SETGID and SETPCAP) and its
 * environment (the image's and `sandbox.env`'s, which may name LD_PRELOAD, LD_LIBRARY_PATH or PERL5LIB in places the
 * agent writes). So the reader starts through setpriv: no supplementary group, an empty inheritable and bounding set
 * (uid 0 then keeps no capability across the exec of perl), no-new-privileges, and an environment reset to root's
 * defaults. setpriv itself is loaded before it can reset anything: every variable the container has is handed to it
 * empty (`readerEnv`), so its dynamic loader sees no LD_* value either.
 */
export function readerCommand(path: string): string[] {
  return [
    '/usr/bin/setpriv',
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--reset-env',
    '--',
    '/usr/bin/perl',
    '-T',
    '-e',
    READER,
    path,
  ]
}

/** Every variable of the container, emptied (an exec's Env replaces the container's value of the same name). */
export function readerEnv(containerEnv: readonly string[]): string[] {
  const names = new Set(containerEnv.map((entry) => entry.split('=', 1)[0]!))
  return [...names].map((name) => `${name}=`)
}

/** How the reader ended: read to the end of the FIFO, stopped by the host, or failed (the runner reads again). */
export type BypassOutcome = 'ended' | 'stopped' | 'failed'

export interface BypassReader {
  pause(): void
  resume(): void
  /** Stops reading (the rest of the FIFO stays for the runner); `done` then resolves 'stopped' (or 'ended'). */
  stop(): void
  /** Ends the reader's stream at once (the session is going away). */
  destroy(): void
  readonly done: Promise<BypassOutcome>
}

/** Starts a reader of the runner's FIFO `path`; its output goes to `onChunk`. Rejects when it cannot start. */
export type OpenBypass = (path: string, onChunk: (chunk: Buffer) => void) => Promise<BypassReader>

export function bypassOpener(container: Dockerode.Container): OpenBypass {
  // The container's variables do not change after it is created: read once, on the first bypass.
  let env: Promise<string[]> | undefined
  return async (path, onChunk) => {
    if (!RUNNER_FIFO.test(path)) throw new Error(`not a runner output FIFO: ${path}`)
    env ??= container.inspect().then((info) => readerEnv(info.Config?.Env ?? []))
    const exec = await container.exec({
      Cmd: readerCommand(path),
      Env: await env.catch((error: unknown) => {
        env = undefined
        throw error
      }),
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: '0:0',
      Privileged: false,
      WorkingDir: '/',
    })
    const socket = (await exec.start({hijack: true, stdin: true, Tty: false})) as Duplex
    let mark: Buffer | undefined = Buffer.alloc(0)
    const demuxer = new DockerStreamDemuxer((stream, chunk) => {
      if (stream !== 'stdout') return
      if (mark === undefined) return onChunk(chunk)
      mark = Buffer.concat([mark, chunk])
      if (mark.length < STARTED_MARK.length) return
      if (mark.subarray(0, STARTED_MARK.length).toString() !== STARTED_MARK) {
        // Not the reader's output: the daemon's word that it did not start. Nothing of this stream is the command's.
        socket.destroy()
        return
      }
      const rest = mark.subarray(STARTED_MARK.length)
      mark = undefined
      if (rest.length > 0) onChunk(rest)
    })
    socket.on('data', (chunk: Buffer) => demuxer.push(chunk))
    const closed = new Promise<void>((resolve) => {
      socket.once('end', resolve)
      socket.once('close', resolve)
      socket.once('error', () => resolve())
    })
    const done = closed
      .then(() => (mark === undefined ? exitOutcome(exec) : 'failed'))
      .catch((): BypassOutcome => 'failed')
    return {
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      stop: () => socket.end(),
      destroy: () => socket.destroy(),
      done,
    }
  }
}

/** The reader's exit code once the daemon has it (it may lag the end of the stream by a moment). */
async function exitOutcome(exec: Dockerode.Exec): Promise<BypassOutcome> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const info = await exec.inspect()
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) {
      return info.ExitCode === 0 ? 'ended' : info.ExitCode === 3 ? 'stopped' : 'failed'
    }
    await sleep(10)
  }
  return 'failed'
}
