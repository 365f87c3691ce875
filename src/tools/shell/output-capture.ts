// Captures one output stream of a command: decoded live for the user, head and tail kept for the model, every byte
// kept for the saved full-output file (spilled in parts when large), with exact character and line counts.
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
  /** Stores a part of the full output elsewhere (in the sandbox); parts arrive in order. */
  spill(part: Buffer, index: number): Promise<void>
}

export class OutputCapture {
  readonly #decoder = new StringDecoder('utf8')
  readonly #options: OutputCaptureOptions
  #head = ''
  #tail = ''
  #totalChars = 0
  #newlines = 0
  #bytes = 0
  #held: Buffer[] = []
  #heldBytes = 0
  #parts = 0
  #spilling: Promise<void> = Promise.resolve()

  constructor(options: OutputCaptureOptions) {
    this.#options = options
  }

  /** Adds a chunk; returns its decoded text (a split UTF-8 sequence waits for the next chunk). */
  append(chunk: Buffer): string {
    this.#bytes += chunk.length
    this.#held.push(chunk)
    this.#heldBytes += chunk.length
    if (this.#heldBytes >= this.#options.spillBytes) this.#spill()
    return this.#addText(this.#decoder.write(chunk))
  }

  /** Flushes the decoder; call once when the stream ended. */
  end(): string {
    return this.#addText(this.#decoder.end())
  }

  get totalBytes(): number {
    return this.#bytes
  }

  get spilledParts(): number {
    return this.#parts
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
    this.#spilling = this.#spilling.then(() => this.#options.spill(part, index))
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
