// The bounds on reading context files: how much of one file, how much in all, how many directories, how deep imports go.

export interface ContextLimits {
  /** Characters kept from one file (imports included); the rest is cut with a marker. */
  maxFileChars: number
  /** Characters kept from all files together; files past it are cut or left out. */
  maxTotalChars: number
  /** Directories below the project root searched for context files (Qwen Code's discoveryMaxDirs, default 200). */
  maxDirs: number
  /** Nested `@` imports followed (Qwen Code's default 5). */
  maxImportDepth: number
}

export const DEFAULT_CONTEXT_LIMITS: ContextLimits = {
  maxFileChars: 64_000,
  maxTotalChars: 200_000,
  maxDirs: 200,
  maxImportDepth: 5,
}

/** Default names read in each directory, in this order (Qwen Code reads QWEN.md; AGENTS.md is the shared convention). */
export const DEFAULT_CONTEXT_FILE_NAMES = ['QWEN.md', 'AGENTS.md'] as const

/** `context.fileName` (a name or a list) as a list of plain file names. */
export function contextFileNames(setting: string | readonly string[] | undefined): string[] {
  const names =
    setting === undefined ? [...DEFAULT_CONTEXT_FILE_NAMES] : typeof setting === 'string' ? [setting] : [...setting]
  return [...new Set(names.map((name) => name.trim()).filter((name) => name !== '' && !/[\\/]/.test(name)))]
}
