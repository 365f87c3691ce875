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

/** The only FIFOs a reader opens: the runner's, in the directory only root can enter. */
const RUNNER_FIFO = /^\/dev\/sandbox-agent\/out-\d+-\d+$/

/**
 * Runs as root, like the runner, so no process of the agent can signal, trace or stop it (the FIFO's directory is
 * root's alone). Opens the FIFO without waiting for a writer (the command may be gone, its output still buffered),
 * reads blocking, up to 1 MiB at a time from a pipe grown to 1 MiB (its own stdout too, so the daemon's side reads
 * fewer, larger pieces), until every writer closed it (exit 0) or its stdin
 * closes (the host stops it: exit 3); what it has not read stays in the FIFO for the runner. Exit 2: no such FIFO.
 */
const READER = `use strict; use Fcntl;
sysopen(my $in, $ARGV[0], O_RDONLY | O_NONBLOCK) or exit 2;
fcntl($in, F_SETFL, fcntl($in, F_GETFL, 0) & ~O_NONBLOCK) or exit 1;
fcntl($in, 1031, 1 << 20);
fcntl(STDOUT, 1031, 1 << 20);
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
  return async (path, onChunk) => {
    if (!RUNNER_FIFO.test(path)) throw new Error(`not a runner output FIFO: ${path}`)
    const exec = await container.exec({
      Cmd: ['/usr/bin/perl', '-e', READER, path],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: '0:0',
      WorkingDir: '/',
    })
    const socket = (await exec.start({hijack: true, stdin: true, Tty: false})) as Duplex
    const demuxer = new DockerStreamDemuxer((stream, chunk) => {
      if (stream === 'stdout') onChunk(chunk)
    })
    socket.on('data', (chunk: Buffer) => demuxer.push(chunk))
    const closed = new Promise<void>((resolve) => {
      socket.once('end', resolve)
      socket.once('close', resolve)
      socket.once('error', () => resolve())
    })
    const done = closed.then(() => exitOutcome(exec)).catch((): BypassOutcome => 'failed')
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
