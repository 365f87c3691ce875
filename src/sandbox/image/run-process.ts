// Runs a host program for the offline builder (debootstrap, chroot, mount), streaming its lines and keeping the last few for errors.
import {spawn} from 'node:child_process'
import {accessSync, constants} from 'node:fs'

import {AgentError} from '../../errors.js'

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  onLine?: (line: string) => void
  signal?: AbortSignal
  /** Text for the error message ("debootstrap"); defaults to the command. */
  what?: string
}

/** Resolves when the program exits 0; otherwise rejects with the last lines it printed. */
export function runProcess(command: string, args: string[], options: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const what = options.what ?? command
    const tail: string[] = []
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? {signal: options.signal} : {}),
    })
    const onData = (() => {
      let pending = ''
      return (chunk: Buffer): void => {
        pending += chunk.toString()
        const lines = pending.split(/\r?\n|\r/)
        pending = lines.pop() ?? ''
        for (const line of lines) {
          if (line.trim() === '') continue
          tail.push(line)
          if (tail.length > 20) tail.shift()
          options.onLine?.(line)
        }
      }
    })()
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new AgentError(`${what} was interrupted`, {exitCode: 130, cause: error}))
      else if (error.code === 'ENOENT') reject(new AgentError(`${command} is not installed`, {cause: error}))
      else reject(new AgentError(`${what} could not start: ${error.message}`, {cause: error}))
    })
    child.on('close', (code, signal) => {
      if (code === 0) return resolve()
      const last =
        tail.filter((l) => /error|fail|unable|cannot|not found|E:/i.test(l)).pop() ?? tail[tail.length - 1] ?? ''
      const how = signal ? `was killed by ${signal}` : `exited with ${code}`
      reject(new AgentError(`${what} ${how}${last ? `: ${last.trim()}` : ''}`))
    })
  })
}

/** Finds a program in PATH (plus the sbin directories a non-login root shell may lack). */
export function findProgram(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  const dirs = [...pathEnv.split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean)
  for (const dir of dirs) {
    const candidate = `${dir}/${name}`
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here; keep looking
    }
  }
  return undefined
}
