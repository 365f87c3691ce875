// Large pastes in the prompt: shown as one `[pasted N lines]` label the cursor steps over and Backspace removes
// whole, and put back in full when the message is sent.

/** A paste of at least this many lines, or longer than PASTE_CHARS, is shown as a label. */
export const PASTE_LINES = 5
export const PASTE_CHARS = 1000

export class PastedBlocks {
  private readonly blocks = new Map<string, string>()

  /** The label standing for `text` in the prompt, or undefined when the paste is small enough to show as it is. */
  add(text: string, shown: string): string | undefined {
    const lines = text.replace(/\n$/, '').split('\n').length
    if (lines < PASTE_LINES && text.length <= PASTE_CHARS) return undefined
    const base = `[pasted ${lines} line${lines === 1 ? '' : 's'}`
    let label = `${base}]`
    // A second paste of the same size in the same message gets a number, so each label stands for one paste.
    for (let n = 2; this.blocks.has(label) && shown.includes(label); n++) label = `${base} #${n}]`
    this.blocks.set(label, text)
    return label
  }

  /** The text with each label replaced by its paste. */
  expand(text: string): string {
    let out = text
    for (const [label, block] of this.blocks) out = out.split(label).join(block)
    return out
  }

  /** The pastes whose labels `text` holds (to keep with a queued message). */
  usedIn(text: string): Map<string, string> {
    return new Map([...this.blocks].filter(([label]) => text.includes(label)))
  }

  restore(blocks: ReadonlyMap<string, string>): void {
    for (const [label, block] of blocks) this.blocks.set(label, block)
  }

  /** The label that ends at `index` in `text`, if any. */
  labelBefore(text: string, index: number): string | undefined {
    for (const label of this.blocks.keys()) if (text.slice(0, index).endsWith(label)) return label
    return undefined
  }

  /** The label that starts at `index` in `text`, if any. */
  labelAt(text: string, index: number): string | undefined {
    for (const label of this.blocks.keys()) if (text.startsWith(label, index)) return label
    return undefined
  }

  clear(): void {
    this.blocks.clear()
  }
}
