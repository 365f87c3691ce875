// Types for marked-terminal 7 (its own package ships none; @types/marked-terminal describes marked < 12).
declare module 'marked-terminal' {
  import type {MarkedExtension} from 'marked'

  type Paint = (text: string) => string

  export interface TerminalRendererOptions {
    code?: Paint
    blockquote?: Paint
    heading?: Paint
    firstHeading?: Paint
    strong?: Paint
    em?: Paint
    codespan?: Paint
    link?: Paint
    href?: Paint
    /** Reflow and print-out width (with reflowText). */
    width?: number
    reflowText?: boolean
    /** `#` before headings. */
    showSectionPrefix?: boolean
    emoji?: boolean
    tab?: number
    tableOptions?: Record<string, unknown>
  }

  export function markedTerminal(options?: TerminalRendererOptions, highlightOptions?: object): MarkedExtension
}
