// `@path` imports inside context files, as Qwen Code documents them: nested up to a depth, cycles refused, code
// blocks and inline code left alone; unlike Qwen Code, an import must stay inside one allowed directory (the project).
import fs from 'node:fs/promises'
import path from 'node:path'

import {fileProblem} from '../file-problem.js'
import {readBounded} from './read-bounded.js'

export interface ImportOptions {
  /** Imports must resolve (symlinks followed) inside this directory. */
  allowedRoot: string
  /** How `allowedRoot` is called in notices ("the project", "~/.qwen"). */
  allowedName: string
  maxDepth: number
  maxFileChars: number
  /** Receives one line per import that was refused or failed. */
  notice: (line: string) => void
  /** How a path is shown in notices and markers. */
  display: (file: string) => string
}

/** `@./x.md`, `@../x.md`, `@/abs/x.md`, `@~/x.md` or a bare `@name.md`, preceded by a line start or whitespace. */
const IMPORT = /(^|\s)@((?:\.{1,2}\/|\/|~\/)[^\s`]+|[\w.-][\w./-]*\.md)(?=$|\s|[),;:!?])/g
const FENCE = /^\s*(```|~~~)/

/** Replaces each import in `text` (the content of `file`) with the imported file's content, recursively. */
export async function processImports(text: string, file: string, options: ImportOptions): Promise<string> {
  const root = await fs.realpath(options.allowedRoot).catch(() => path.resolve(options.allowedRoot))
  return expand(text, file, 0, new Set([await real(file)]))

  async function expand(content: string, from: string, depth: number, chain: Set<string>): Promise<string> {
    const lines = content.split('\n')
    let inFence: string | undefined
    const out: string[] = []
    for (const line of lines) {
      const fence = FENCE.exec(line)?.[1]
      if (fence) {
        inFence = inFence === undefined ? fence : inFence === fence ? undefined : inFence
        out.push(line)
        continue
      }
      if (inFence !== undefined || !line.includes('@')) {
        out.push(line)
        continue
      }
      out.push(await expandLine(line, from, depth, chain))
    }
    return out.join('\n')
  }

  async function expandLine(line: string, from: string, depth: number, chain: Set<string>): Promise<string> {
    // Inline code spans are kept as they are: split them out, expand only the text between them.
    const pieces = line.split(/(`[^`]*`)/)
    const expanded: string[] = []
    for (const piece of pieces) {
      if (piece.startsWith('`') && piece.endsWith('`') && piece.length > 1) {
        expanded.push(piece)
        continue
      }
      let result = ''
      let last = 0
      for (const match of piece.matchAll(IMPORT)) {
        const start = (match.index ?? 0) + (match[1]?.length ?? 0)
        result += piece.slice(last, start) + (await importOne(match[2] ?? '', from, depth, chain))
        last = start + 1 + (match[2]?.length ?? 0)
      }
      expanded.push(result + piece.slice(last))
    }
    return expanded.join('')
  }

  async function importOne(ref: string, from: string, depth: number, chain: Set<string>): Promise<string> {
    const target = ref.startsWith('~/') ? ref : path.resolve(path.dirname(from), ref)
    const shown = ref
    const fail = (why: string) => {
      options.notice(`Import @${shown} in ${options.display(from)} not read: ${why}`)
      return `<!-- Import failed: ${shown} - ${why} -->`
    }
    if (ref.startsWith('~/')) return fail(`outside ${options.allowedName}`)
    if (depth >= options.maxDepth) return fail(`imports nested deeper than ${options.maxDepth}`)
    let resolved: string
    try {
      resolved = await fs.realpath(target)
    } catch (error) {
      return fail(fileProblem(error))
    }
    if (resolved !== root && !resolved.startsWith(root + path.sep)) return fail(`outside ${options.allowedName}`)
    if (chain.has(resolved)) return fail('circular import')
    let body: string
    try {
      const stat = await fs.stat(resolved)
      if (!stat.isFile()) return fail('not a file')
      const read = await readBounded(resolved, options.maxFileChars)
      body = read.text
      if (read.cut)
        options.notice(`Import @${shown} in ${options.display(from)} cut to ${options.maxFileChars} characters`)
    } catch (error) {
      return fail(fileProblem(error))
    }
    const inner = await expand(body, resolved, depth + 1, new Set([...chain, resolved]))
    return `<!-- Imported from: ${shown} -->\n${inner.trimEnd()}\n<!-- End of import from: ${shown} -->`
  }
}

async function real(file: string): Promise<string> {
  return fs.realpath(file).catch(() => path.resolve(file))
}
