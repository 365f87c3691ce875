// Captures one output stream of a command: decoded live for the user, head and tail kept for the model, and up to a
// cap of bytes kept for the saved full-output file (spilled in parts when large, with backpressure), exact counts.
import {StringDecoder} from 'node:string_decoder'

export interface CapturedText {
  /** The first characters (all of them when `complete`). */
  head: string
  /** The last characters. */
  tail: string
  /** head holds the whole output. */
  complete: boolean
  totalChars: number
  /** Number of newline characters. */
  newlines: number
}

export interface OutputCaptureOptions {
  /** Characters kept at each end for the model. */
  keepChars: number
  /** Bytes held in memory before `spill` is asked to store them. */
  spillBytes: number
  /** Bytes kept for the saved file at most; the rest is only counted (default: no limit). */
  maxSavedBytes?: number
  /** Stores a part of the full output elsewhere (in the sandbox); parts arrive in order, one at a time. */
  spill(part: Buffer, index: number): Promise<void>
}

/** Why the saved copy is not the whole output: the cap was reached, or storing a part failed (e.g. /tmp is full). */
export type SaveProblem = {kind: 'limit'; savedBytes: number} | {kind: 'error'; error: Error}

export class OutputCapture {
  readonly #decoder = new StringDecoder('utf8')
  readonly #options: OutputCaptureOptions
  #head = ''
  #tail = ''
  #totalChars = 0
  #newlines = 0
  #bytes = 0
  /** Bytes kept for the saved file so far (spilled or held). */
  #keptBytes = 0
  #held: Buffer[] = []
  #heldBytes = 0
  #parts = 0
  /** Bytes handed to `spill` whose storing has not finished. */
  #inFlightBytes = 0
  #spilling: Promise<void> = Promise.resolve()
  #problem: SaveProblem | undefined

  constructor(options: OutputCaptureOptions) {
    this.#options = options
  }

  /** Adds a chunk; returns its decoded text (a split UTF-8 sequence waits for the next chunk). */
  append(chunk: Buffer): string {
    this.#bytes += chunk.length
    if (this.#problem === undefined) {
      const room = (this.#options.maxSavedBytes ?? Number.POSITIVE_INFINITY) - this.#keptBytes
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk
      if (kept.length > 0) {
        this.#held.push(kept)
        this.#heldBytes += kept.length
        this.#keptBytes += kept.length
      }
      if (kept.length < chunk.length) this.#problem = {kind: 'limit', savedBytes: this.#keptBytes}
      if (this.#heldBytes >= this.#options.spillBytes) this.#spill()
    }
    return this.#addText(this.#decoder.write(chunk))
  }

  /**
   * Resolves once the parts being stored hold less than `spillBytes`. Await it between chunks: the producer then waits
   * for the sandbox to take the output, so memory stays bounded however much a command prints.
   */
  async drained(): Promise<void> {
    if (this.#inFlightBytes >= this.#options.spillBytes) await this.#spilling
  }

  /** Flushes the decoder; call once when the stream ended. */
  end(): string {
    return this.#addText(this.#decoder.end())
  }

  get totalBytes(): number {
    return this.#bytes
  }

  /** Parts handed to `spill` (indices 0 to n-1); after a failure some of them may not exist. */
  get spilledParts(): number {
    return this.#parts
  }

  /** Set once the saved copy can no longer be the whole output. */
  get saveProblem(): SaveProblem | undefined {
    return this.#problem
  }

  text(): CapturedText {
    return {
      head: this.#head,
      tail: this.#tail,
      complete: this.#totalChars === this.#head.length,
      totalChars: this.#totalChars,
      newlines: this.#newlines,
    }
  }

  /** Waits for spilled parts to be stored, then returns what is still held in memory (the last part). */
  async rest(): Promise<Buffer> {
    await this.#spilling
    return Buffer.concat(this.#held)
  }

  #spill(): void {
    const part = Buffer.concat(this.#held)
    const index = this.#parts++
    this.#held = []
    this.#heldBytes = 0
    this.#inFlightBytes += part.length
    // Each part's failure is caught here: the first one stops saving (the rest is only counted), nothing rejects.
    this.#spilling = this.#spilling.then(async () => {
      try {
        if (this.#problem?.kind !== 'error') await this.#options.spill(part, index)
      } catch (error) {
        this.#problem = {kind: 'error', error: error instanceof Error ? error : new Error(String(error))}
        this.#held = []
        this.#heldBytes = 0
      } finally {
        this.#inFlightBytes -= part.length
      }
    })
  }

  #addText(text: string): string {
    if (text === '') return text
    const keep = this.#options.keepChars
    this.#totalChars += text.length
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.#newlines++
    if (this.#head.length < keep) this.#head += text.slice(0, keep - this.#head.length)
    this.#tail += text
    if (this.#tail.length > 2 * keep) this.#tail = this.#tail.slice(-keep)
    return text
  }
}
