// Adds a fact to the global context file (~/.qwen/QWEN.md) under Qwen Code's "## Qwen Added Memories" section.
import fs from 'node:fs/promises'
import path from 'node:path'

export const MEMORY_SECTION_HEADER = '## Qwen Added Memories'

/** The file save_memory and `/memory add` write to: the first context file name in ~/.qwen. */
export function globalMemoryFile(home: string, fileNames: readonly string[]): string {
  return path.join(home, '.qwen', fileNames[0] ?? 'QWEN.md')
}

/** Appends `- fact` to the section (made when missing); the rest of the file is kept as it was. */
export async function appendMemory(file: string, fact: string): Promise<string> {
  const item = `- ${fact.replace(/\s+/g, ' ').trim().replace(/^-\s*/, '')}`
  await fs.mkdir(path.dirname(file), {recursive: true})
  let content = ''
  try {
    content = await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const start = content.indexOf(MEMORY_SECTION_HEADER)
  let updated: string
  if (start === -1) {
    const separator = content === '' ? '' : content.endsWith('\n\n') ? '' : content.endsWith('\n') ? '\n' : '\n\n'
    updated = `${content}${separator}${MEMORY_SECTION_HEADER}\n${item}\n`
  } else {
    const afterHeader = start + MEMORY_SECTION_HEADER.length
    const next = content.slice(afterHeader).search(/\n#{1,2} /)
    const end = next === -1 ? content.length : afterHeader + next + 1
    const section = content.slice(0, end).trimEnd()
    updated = `${section}\n${item}\n${end < content.length ? `\n${content.slice(end).replace(/^\n+/, '')}` : ''}`
  }
  const temp = `${file}.${process.pid}.tmp`
  await fs.writeFile(temp, updated)
  await fs.rename(temp, file)
  return item
}
