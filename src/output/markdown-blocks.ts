// Where streamed markdown can be cut: the blocks that are complete (a blank line after them, a closed code fence, a
// heading) can be rendered; the block still being written stays open until more text closes it.

const FENCE = /^ {0,3}(`{3,}|~{3,})/
const HEADING = /^ {0,3}#{1,6}(?:\s|$)/

/** Splits `text` into the complete blocks at its start and the open block after them. */
export function splitClosedBlocks(text: string): {closed: string; open: string} {
  let fence: string | undefined
  let cut = 0
  let at = 0
  for (;;) {
    const end = text.indexOf('\n', at)
    // Only whole lines decide: the last, unfinished one belongs to the open block.
    if (end === -1) break
    const line = text.slice(at, end)
    const next = end + 1
    const marker = FENCE.exec(line)?.[1]
    if (fence !== undefined) {
      // A fence closes with the same character, at least as long, and nothing after it.
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) {
        fence = undefined
        cut = next
      }
    } else if (marker) {
      fence = marker
    } else if (line.trim() === '' || HEADING.test(line)) {
      cut = next
    }
    at = next
  }
  return {closed: text.slice(0, cut), open: text.slice(cut)}
}
