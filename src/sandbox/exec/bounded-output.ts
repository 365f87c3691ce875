// Keeps the head and the tail of a byte stream up to a cap and counts what was cut, so no output buffer is unbounded.
import type {BoundedOutput} from '../types.js'

export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024

export class BoundedCollector {
  private readonly headCap: number
  private readonly tailCap: number
  private readonly head: Buffer[] = []
  private headBytes = 0
  private tail: Buffer[] = []
  private tailBytes = 0
  totalBytes = 0

  constructor(maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES) {
    const cap = Math.max(0, Math.floor(maxBytes))
    this.headCap = Math.ceil(cap / 2)
    this.tailCap = cap - this.headCap
  }

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length
    let rest = chunk
    if (this.headBytes < this.headCap) {
      const piece = rest.subarray(0, this.headCap - this.headBytes)
      this.head.push(piece)
      this.headBytes += piece.length
      rest = rest.subarray(piece.length)
    }
    if (rest.length === 0 || this.tailCap === 0) return
    if (rest.length >= this.tailCap) {
      this.tail = [rest.subarray(rest.length - this.tailCap)]
      this.tailBytes = this.tailCap
      return
    }
    this.tail.push(rest)
    this.tailBytes += rest.length
    while (this.tailBytes > this.tailCap) {
      const first = this.tail[0]!
      const excess = this.tailBytes - this.tailCap
      if (first.length <= excess) {
        this.tail.shift()
        this.tailBytes -= first.length
      } else {
        this.tail[0] = first.subarray(excess)
        this.tailBytes -= excess
      }
    }
  }

  result(): BoundedOutput {
    const omittedBytes = this.totalBytes - this.headBytes - this.tailBytes
    const head = Buffer.concat(this.head).toString('utf8')
    const tail = Buffer.concat(this.tail).toString('utf8')
    const text = omittedBytes > 0 ? `${head}\n[... ${omittedBytes} bytes omitted ...]\n${tail}` : head + tail
    return {text, totalBytes: this.totalBytes, omittedBytes}
  }
}
