// A closed reader ends a command's output, never the command: EPIPE on a real pipe is swallowed, other errors are not.
import {spawn} from 'node:child_process'
import {PassThrough} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {tolerateClosedReader} from './closed-output.js'

describe('tolerateClosedReader', () => {
  it('lets a process go on after its reader closed the pipe (EPIPE), once told', async () => {
    // A child writes 1 MiB to a pipe whose reader (us) has already gone, then reports that it got to its end.
    const script = `
      import {tolerateClosedReader} from ${JSON.stringify(new URL('./closed-output.ts', import.meta.url).pathname)}
      let told = 0
      tolerateClosedReader(process.stdout, () => (told += 1))
      process.stdout.write('x'.repeat(1 << 20))
      process.stdout.write('more')
      setTimeout(() => { process.stderr.write('finished told=' + told); process.exitCode = 0 }, 200)
    `
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(stderr).toContain('finished told=1')
    expect(code).toBe(0)
  })

  it('leaves other stream errors to crash as before', () => {
    const stream = new PassThrough()
    tolerateClosedReader(stream)
    expect(() => stream.emit('error', Object.assign(new Error('disk'), {code: 'EIO'}))).toThrow('disk')
  })
})
