// The floor for a round trip: one bash kept alive by `docker exec -i`, fed a command and a marker over stdin.
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {now} from './stats.js'

export interface AttachedBash {
  /** Runs `command` and resolves with the ms until its marker came back. */
  roundTrip(command: string): Promise<number>
  close(): void
}

export function attachBash(containerId: string): AttachedBash {
  const child: ChildProcessWithoutNullStreams = spawn('docker', ['exec', '-i', containerId, 'bash'], {stdio: 'pipe'})
  let buffer = ''
  let waiting: {marker: string; resolve: () => void} | undefined
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    buffer += data
    if (waiting && buffer.includes(waiting.marker)) {
      buffer = ''
      const done = waiting.resolve
      waiting = undefined
      done()
    }
  })
  let n = 0
  return {
    roundTrip(command) {
      const marker = `__bench_${++n}__`
      const start = now()
      return new Promise<number>((resolve) => {
        waiting = {marker, resolve: () => resolve(now() - start)}
        child.stdin.write(`${command}; echo ${marker}\n`)
      })
    },
    close() {
      child.stdin.end()
      child.kill()
    },
  }
}
