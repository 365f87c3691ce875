// Markdown for a colour terminal: marked with marked-terminal (headings, bold, italic, lists, tables, links) and
// cli-highlight for code blocks. Loaded on first use only, so start-up (`agent --help`) does not pay for it.

/** Renders one or more complete markdown blocks to terminal text (no trailing newline). */
export type MarkdownRenderer = (markdown: string) => string

/** Loads the libraries and makes a renderer for text `width` columns wide. */
export async function loadMarkdownRenderer(width: number): Promise<MarkdownRenderer> {
  const [{Marked}, {markedTerminal}] = await Promise.all([import('marked'), import('marked-terminal')])
  const marked = new Marked({gfm: true, async: false})
  marked.use(
    markedTerminal({
      width: Math.max(20, width),
      reflowText: true,
      showSectionPrefix: false,
      emoji: false,
      tableOptions: {style: {head: ['bold'], border: ['gray']}},
    }),
  )
  return (markdown) => {
    const rendered = marked.parse(markdown, {async: false})
    return rendered.replace(/\s+$/, '')
  }
}
