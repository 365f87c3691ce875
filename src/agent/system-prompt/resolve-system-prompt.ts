// The system prompt a run sends: the built-in one, or a replacement (--system-prompt, QWEN_SYSTEM_MD), plus appended
// text (--append-system-prompt) and the project's context files, the way Qwen Code assembles it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {UserInputError} from '../../errors.js'
import type {ToolDefinition} from '../../tools/types.js'
import {buildSystemPrompt, type SystemPromptFacts} from './default-system-prompt.js'

export interface SystemPromptOptions {
  tools: readonly ToolDefinition<unknown>[]
  facts?: SystemPromptFacts
  /** The project directory: `QWEN_SYSTEM_MD=1` reads its `.qwen/system.md`, and relative paths resolve against it. */
  projectRoot: string
  /** For `~` in paths; defaults to the user's home. */
  home?: string
  /** Where QWEN_SYSTEM_MD is read from (the run's environment, .env files included). */
  env?: Readonly<Record<string, string | undefined>>
  /** `--system-prompt`: a file to read, or the replacement text itself when no such file exists. */
  replace?: string
  /** `--append-system-prompt`: text added after the prompt. */
  append?: string
  /** The concatenated context files (QWEN.md, AGENTS.md...), added last after a `---` rule. */
  context?: string
}

/** Where the prompt came from, for logs and `/memory show`. */
export type SystemPromptSource = 'built-in' | {file: string} | 'flag text'

export interface ResolvedSystemPrompt {
  text: string
  source: SystemPromptSource
}

/** Assembles the system prompt; a replacement file that cannot be read is a user error naming it. */
export function resolveSystemPrompt(options: SystemPromptOptions): ResolvedSystemPrompt {
  const home = options.home ?? os.homedir()
  let base: ResolvedSystemPrompt
  if (options.replace !== undefined && options.replace.trim() !== '') {
    const file = expandHome(options.replace.trim(), home)
    const candidate = path.resolve(options.projectRoot, file)
    base = isFile(candidate)
      ? {text: readPromptFile(candidate, '--system-prompt'), source: {file: candidate}}
      : {text: options.replace, source: 'flag text'}
  } else {
    const fromEnv = systemMdPath(options.env?.QWEN_SYSTEM_MD, options.projectRoot, home)
    base = fromEnv
      ? {text: readPromptFile(fromEnv, 'QWEN_SYSTEM_MD'), source: {file: fromEnv}}
      : {text: buildSystemPrompt(options.tools, options.facts), source: 'built-in'}
  }
  const parts = [base.text.trimEnd()]
  if (options.append !== undefined && options.append.trim() !== '') parts.push(options.append.trim())
  if (options.context !== undefined && options.context.trim() !== '') parts.push(`---\n\n${options.context.trim()}`)
  return {text: parts.join('\n\n'), source: base.source}
}

/** QWEN_SYSTEM_MD as Qwen Code reads it: unset, `0` or `false` is off; `1` or `true` is `.qwen/system.md`; else a path. */
export function systemMdPath(value: string | undefined, projectRoot: string, home: string): string | undefined {
  const setting = value?.trim()
  if (!setting || ['0', 'false'].includes(setting.toLowerCase())) return undefined
  if (['1', 'true'].includes(setting.toLowerCase())) return path.join(projectRoot, '.qwen', 'system.md')
  return path.resolve(projectRoot, expandHome(setting, home))
}

function expandHome(file: string, home: string): string {
  if (file === '~') return home
  return file.startsWith('~/') ? path.join(home, file.slice(2)) : file
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function readPromptFile(file: string, from: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8')
    if (text.trim() === '') throw new UserInputError(`The system prompt file ${file} (${from}) is empty`)
    return text
  } catch (error) {
    if (error instanceof UserInputError) throw error
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new UserInputError(`Cannot read the system prompt file ${file} (${from}): ${code}`, {
      hint: from === 'QWEN_SYSTEM_MD' ? 'Create the file, or unset QWEN_SYSTEM_MD' : 'Check the path',
    })
  }
}
