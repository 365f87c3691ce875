// Incremental parsing of length-prefixed frames from a byte stream, without copying payloads that arrive whole.

/** A queue of received chunks that can be read in exact sizes. */
export class ChunkQueue {
  private chunks: Buffer[] = []
  length = 0

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.length += chunk.length
  }

  /** Bytes in the oldest chunk: taking up to this many never copies. */
  firstLength(): number {
    return this.chunks[0]?.length ?? 0
  }

  /** The first n bytes, without consuming them (n <= length). */
  peek(n: number): Buffer {
    const first = this.chunks[0]!
    if (first.length >= n) return first.subarray(0, n)
    return this.gather(n, false)
  }

  /** Removes and returns exactly n bytes (n <= length); a view when they sit in one chunk. */
  take(n: number): Buffer {
    const first = this.chunks[0]
    if (first && first.length >= n) {
      this.length -= n
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
      return first.subarray(0, n)
    }
    return this.gather(n, true)
  }

  private gather(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n)
    let offset = 0
    let index = 0
    while (offset < n) {
      const chunk = this.chunks[index]!
      const count = Math.min(chunk.length, n - offset)
      chunk.copy(out, offset, 0, count)
      offset += count
      if (consume) {
        if (count === chunk.length) this.chunks.shift()
        else this.chunks[0] = chunk.subarray(count)
      } else index += 1
    }
    if (consume) this.length -= n
    return out
  }
}

/**
 * Splits Docker's multiplexed attach/exec stream (8-byte headers: stream u8, 3 zero bytes, size u32 BE) into
 * stdout/stderr chunks. Payload pieces are passed on as they arrive, not reassembled.
 */
export class DockerStreamDemuxer {
  private readonly queue = new ChunkQueue()
  private stream = 0
  private remaining = 0

  constructor(private readonly onChunk: (stream: 'stdout' | 'stderr', chunk: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.queue.push(chunk)
    for (;;) {
      if (this.remaining > 0) {
        if (this.queue.length === 0) return
        const piece = this.queue.take(Math.min(this.remaining, this.queue.firstLength()))
        this.remaining -= piece.length
        this.onChunk(this.stream === 2 ? 'stderr' : 'stdout', piece)
        continue
      }
      if (this.queue.length < 8) return
      const header = this.queue.take(8)
      this.stream = header.readUInt8(0)
      this.remaining = header.readUInt32BE(4)
    }
  }
}

/**
 * Splits the runner's frames ([type u8][id u32][length u32][payload]) out of its stdout byte stream. Frames of the
 * `streamed` types (command output) are passed on piece by piece as bytes arrive, never reassembled or copied.
 */
export class FrameReader {
  private readonly queue = new ChunkQueue()
  private piece: {type: number; id: number; remaining: number} | undefined
  private broken = false
  /** Bytes consumed so far (where a corruption was found). */
  offset = 0

  /**
   * `check` vets each header before anything waits on its length: it returns why the header cannot be the peer's
   * (then the reader stops for good and `onCorrupt` hears it), or undefined.
   */
  constructor(
    private readonly onFrame: (type: number, id: number, payload: Buffer) => void,
    private readonly streamed: ReadonlySet<number> = new Set(),
    private readonly check?: (type: number, id: number, length: number) => string | undefined,
    private readonly onCorrupt?: (reason: string, offset: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return
    this.queue.push(chunk)
    for (;;) {
      const piece = this.piece
      if (piece) {
        if (this.queue.length === 0) return
        const bytes = this.queue.take(Math.min(piece.remaining, this.queue.firstLength()))
        this.offset += bytes.length
        piece.remaining -= bytes.length
        if (piece.remaining === 0) this.piece = undefined
        this.onFrame(piece.type, piece.id, bytes)
        continue
      }
      if (this.queue.length < 9) return
      const head = this.queue.peek(9)
      const type = head.readUInt8(0)
      const id = head.readUInt32BE(1)
      const length = head.readUInt32BE(5)
      const problem = this.check?.(type, id, length)
      if (problem !== undefined) {
        this.broken = true
        this.onCorrupt?.(problem, this.offset)
        return
      }
      if (this.streamed.has(type) && length > 0) {
        this.queue.take(9)
        this.offset += 9
        this.piece = {type, id, remaining: length}
        continue
      }
      if (this.queue.length < 9 + length) return
      this.queue.take(9)
      this.offset += 9 + length
      this.onFrame(type, id, length === 0 ? Buffer.alloc(0) : this.queue.take(length))
    }
  }
}
