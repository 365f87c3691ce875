// Stops a model that goes round in circles, as Qwen Code does: the same tool call with the same arguments five times
// in a row, or the same stretch of text streamed over and over. `model.skipLoopDetection` turns it off.

/** Identical consecutive tool calls that count as a loop. */
export const TOOL_CALL_LOOP_THRESHOLD = 5
/** Occurrences of one stretch of text, close together, that count as a loop. */
export const CONTENT_LOOP_THRESHOLD = 10
/** The stretch of text compared, in characters. */
const CHUNK = 50
/** Occurrences this close on average (characters apart) are repetition, not a word that comes up again. */
const MAX_AVERAGE_DISTANCE = CHUNK * 1.5
/** Only the newest text is remembered. */
const MAX_TEXT = 1000

export interface LoopVerdict {
  kind: 'tool_call' | 'content'
  /** One line for the user: what repeated. */
  message: string
}

export class LoopDetector {
  private lastCallKey: string | undefined
  private callRepeats = 0
  private text = ''
  /** Where each stretch of the remembered text starts. */
  private seen = new Map<string, number[]>()
  private scanned = 0
  private inCodeBlock = false

  /** A tool call the model made; a verdict when it is the fifth identical one in a row. */
  toolCall(name: string, input: unknown): LoopVerdict | undefined {
    // Text before and after a tool call is not one stream.
    this.resetText()
    const key = `${name}:${canonicalJson(input)}`
    this.callRepeats = key === this.lastCallKey ? this.callRepeats + 1 : 1
    this.lastCallKey = key
    if (this.callRepeats < TOOL_CALL_LOOP_THRESHOLD) return undefined
    return {
      kind: 'tool_call',
      message: `Loop detected: the model called ${name} with the same arguments ${this.callRepeats} times in a row`,
    }
  }

  /** A piece of streamed text; a verdict when one stretch of it keeps repeating. Text inside code blocks is skipped. */
  textDelta(delta: string): LoopVerdict | undefined {
    const fences = delta.match(/```/g)?.length ?? 0
    const wasInCode = this.inCodeBlock
    if (fences % 2 === 1) this.inCodeBlock = !this.inCodeBlock
    // Code repeats itself legitimately; a fence also starts a new stream of prose.
    if (fences > 0) this.resetText()
    if (wasInCode || this.inCodeBlock) return undefined
    this.text += delta
    if (this.text.length > MAX_TEXT) this.trim(this.text.length - MAX_TEXT)
    for (; this.scanned + CHUNK <= this.text.length; this.scanned += 1) {
      const chunk = this.text.slice(this.scanned, this.scanned + CHUNK)
      const positions = this.seen.get(chunk) ?? []
      positions.push(this.scanned)
      this.seen.set(chunk, positions)
      if (positions.length < CONTENT_LOOP_THRESHOLD) continue
      const recent = positions.slice(-CONTENT_LOOP_THRESHOLD)
      const average = ((recent.at(-1) ?? 0) - (recent[0] ?? 0)) / (CONTENT_LOOP_THRESHOLD - 1)
      if (average <= MAX_AVERAGE_DISTANCE)
        return {
          kind: 'content',
          message: `Loop detected: the model repeated the same text over and over ("${chunk.trim().slice(0, 40)}…")`,
        }
    }
    return undefined
  }

  private resetText(): void {
    this.text = ''
    this.seen.clear()
    this.scanned = 0
  }

  /** Drops the oldest `amount` characters, moving the remembered positions with them. */
  private trim(amount: number): void {
    this.text = this.text.slice(amount)
    this.scanned = Math.max(0, this.scanned - amount)
    for (const [chunk, positions] of this.seen) {
      const kept = positions.map((position) => position - amount).filter((position) => position >= 0)
      if (kept.length > 0) this.seen.set(chunk, kept)
      else this.seen.delete(chunk)
    }
  }
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same call. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  )
}
