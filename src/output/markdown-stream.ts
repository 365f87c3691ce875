// The model's streamed markdown turned into terminal text block by block: a block is rendered once it is complete,
// the open one is kept as raw text (for a live view) until more text closes it or the message ends.
import {splitClosedBlocks} from './markdown-blocks.js'
import type {MarkdownRenderer} from './markdown-terminal.js'

export class MarkdownStream {
  private pending = ''
  private printedBlock = false

  /**
   * `render` gives the renderer; 'loading' holds complete blocks back until `resume()` (the libraries load in the
   * background); undefined prints the text as it came. `print` receives finished text, whole lines ending in \n.
   */
  constructor(
    private readonly print: (text: string) => void,
    private readonly render: () => MarkdownRenderer | 'loading' | undefined,
  ) {}

  /** The block being written, raw (already-sanitised text as it came). */
  get open(): string {
    return this.pending
  }

  push(text: string): void {
    this.pending += text
    this.resume()
  }

  /** Renders the complete blocks held back (after the renderer has loaded). */
  resume(): void {
    if (this.render() === 'loading') return
    const {closed, open} = splitClosedBlocks(this.pending)
    if (closed === '') return
    this.pending = open
    this.emit(closed)
  }

  /** The message ended: whatever is open is complete now. */
  end(): void {
    const rest = this.pending
    this.pending = ''
    if (rest.trim() !== '') this.emit(rest)
    this.printedBlock = false
  }

  private emit(markdown: string): void {
    if (markdown.trim() === '') return
    const found = this.render()
    // At the end of a message, a renderer still loading is not waited for.
    const render = found === 'loading' ? undefined : found
    const text = render ? render(markdown) : markdown.replace(/^\n+|\n+$/g, '')
    if (text.trim() === '') return
    // Blocks are separated by one blank line, as the model wrote them.
    this.print(`${this.printedBlock ? '\n' : ''}${text}\n`)
    this.printedBlock = true
  }
}
