// Reads the JSON-lines progress stream of a Docker build, pull or import; turns its error lines into a rejection.
import {AgentError} from '../../errors.js'

/** One message of a Docker progress stream (build output, pull status, import result). */
export interface DockerStreamMessage {
  stream?: string
  status?: string
  progress?: string
  id?: string
  error?: string
  errorDetail?: {message?: string}
  aux?: {ID?: string}
}

/**
 * Consumes the stream until it ends. Each message goes to onMessage; the first `error` message rejects with an
 * AgentError carrying the daemon's text (what failed is the build, not the connection).
 */
export function followDockerStream(
  stream: NodeJS.ReadableStream,
  onMessage: (message: DockerStreamMessage) => void,
  what: string,
): Promise<DockerStreamMessage[]> {
  return new Promise((resolve, reject) => {
    const messages: DockerStreamMessage[] = []
    let buffer = ''
    let failed: AgentError | undefined
    let settled = false
    const settle = (error?: unknown): void => {
      if (settled) return
      settled = true
      if (error) reject(error)
      else if (failed) reject(failed)
      else resolve(messages)
    }
    const line = (text: string): void => {
      const trimmed = text.trim()
      if (trimmed === '') return
      let message: DockerStreamMessage
      try {
        message = JSON.parse(trimmed) as DockerStreamMessage
      } catch {
        message = {stream: trimmed}
      }
      messages.push(message)
      if (message.error && !failed) {
        const detail = (message.errorDetail?.message ?? message.error).trim().split('\n').slice(-1)[0]
        failed = new AgentError(`${what} failed: ${detail}`)
      }
      onMessage(message)
    }
    stream.on('data', (chunk: Buffer | string) => {
      buffer += chunk.toString()
      let index: number
      while ((index = buffer.indexOf('\n')) >= 0) {
        line(buffer.slice(0, index))
        buffer = buffer.slice(index + 1)
      }
    })
    stream.on('error', (error: unknown) => settle(error))
    stream.on('end', () => {
      line(buffer)
      buffer = ''
      settle()
    })
    stream.on('close', () => {
      line(buffer)
      buffer = ''
      settle()
    })
  })
}
