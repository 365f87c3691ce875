// Reads the context files of a project into one text for the system prompt: each file under a header naming it,
// imports expanded, within the size caps; says in notices what was cut, refused or unreadable.
import path from 'node:path'

import {fileProblem} from '../file-problem.js'
import {DEFAULT_CONTEXT_LIMITS, type ContextLimits} from './context-limits.js'
import {discoverContextFiles, type ContextFileScope} from './discover-context-files.js'
import {processImports} from './process-imports.js'
import {readBounded} from './read-bounded.js'

export interface LoadContextOptions {
  projectRoot: string
  home: string
  fileNames: readonly string[]
  limits?: Partial<ContextLimits>
  signal?: AbortSignal
}

export interface ContextFileInfo {
  path: string
  /** How the file is named in the text and in messages (`~/.qwen/QWEN.md`, `src/AGENTS.md`, an absolute path). */
  display: string
  scope: ContextFileScope
  /** Characters sent (after imports and caps). */
  chars: number
  cut: boolean
}

export interface ProjectContext {
  /** The files' contents, each between `--- Context from: X ---` and `--- End of Context from: X ---`; '' for none. */
  text: string
  files: ContextFileInfo[]
  /** One line per file or import that was cut, left out, refused or unreadable. */
  notices: string[]
}

export async function loadProjectContext(options: LoadContextOptions): Promise<ProjectContext> {
  const limits = {...DEFAULT_CONTEXT_LIMITS, ...options.limits}
  const notices: string[] = []
  const notice = (line: string) => notices.push(line)
  const globalDir = path.join(options.home, '.qwen')
  const display = (file: string) => {
    const fromProject = path.relative(options.projectRoot, file)
    if (!fromProject.startsWith('..') && !path.isAbsolute(fromProject)) return fromProject.split(path.sep).join('/')
    const fromGlobal = path.relative(globalDir, file)
    if (!fromGlobal.startsWith('..') && !path.isAbsolute(fromGlobal)) return `~/.qwen/${fromGlobal}`
    return file
  }

  const candidates = await discoverContextFiles({
    projectRoot: options.projectRoot,
    home: options.home,
    fileNames: options.fileNames,
    maxDirs: limits.maxDirs,
    notice,
    ...(options.signal ? {signal: options.signal} : {}),
  })

  const sections: string[] = []
  const files: ContextFileInfo[] = []
  let total = 0
  for (const [index, candidate] of candidates.entries()) {
    options.signal?.throwIfAborted()
    const shown = display(candidate.path)
    if (total >= limits.maxTotalChars) {
      const rest = candidates.slice(index).map((c) => display(c.path))
      notice(`Context files left out (over the ${limits.maxTotalChars}-character total): ${rest.join(', ')}`)
      break
    }
    let body: string
    let cut = false
    try {
      const read = await readBounded(candidate.path, limits.maxFileChars)
      body = read.text
      if (read.cut) {
        cut = true
        notice(`Context file ${shown} cut to ${limits.maxFileChars} characters (it has ${read.size} bytes)`)
      }
    } catch (error) {
      notice(`Context file ${shown} not read: ${fileProblem(error)}`)
      continue
    }
    body = await processImports(body, candidate.path, {
      allowedRoot: candidate.scope === 'global' ? globalDir : options.projectRoot,
      allowedName: candidate.scope === 'global' ? '~/.qwen' : 'the project',
      maxDepth: limits.maxImportDepth,
      maxFileChars: limits.maxFileChars,
      notice,
      display,
    })
    if (body.length > limits.maxFileChars) {
      body = body.slice(0, limits.maxFileChars)
      if (!cut) notice(`Context file ${shown} cut to ${limits.maxFileChars} characters with its imports`)
      cut = true
    }
    const room = limits.maxTotalChars - total
    if (body.length > room) {
      body = body.slice(0, room)
      cut = true
      notice(`Context file ${shown} cut to fit the ${limits.maxTotalChars}-character total`)
    }
    if (body.trim() === '') continue
    const marked = cut ? `${body.trimEnd()}\n[... cut: the rest of this file was left out]` : body.trimEnd()
    sections.push(`--- Context from: ${shown} ---\n${marked}\n--- End of Context from: ${shown} ---`)
    files.push({path: candidate.path, display: shown, scope: candidate.scope, chars: body.length, cut})
    total += body.length
  }
  return {text: sections.join('\n\n'), files, notices}
}
