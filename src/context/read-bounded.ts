// Reads at most a given number of characters of a text file, so a huge file costs no more than the part kept.
import fs from 'node:fs/promises'

export interface BoundedText {
  text: string
  /** The file's size in bytes. */
  size: number
  /** True when the file has more than was read. */
  cut: boolean
}

export async function readBounded(file: string, maxChars: number): Promise<BoundedText> {
  const handle = await fs.open(file, 'r')
  try {
    const {size} = await handle.stat()
    // A UTF-8 character is at most 4 bytes: read enough bytes for maxChars characters, then cut on characters.
    const want = Math.min(size, maxChars * 4)
    const buffer = Buffer.alloc(want)
    const {bytesRead} = await handle.read(buffer, 0, want, 0)
    let text = buffer.subarray(0, bytesRead).toString('utf8')
    let cut = bytesRead < size
    if (text.length > maxChars) {
      text = text.slice(0, maxChars)
      cut = true
    }
    return {text, size, cut}
  } finally {
    await handle.close()
  }
}
