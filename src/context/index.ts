// Project context files (QWEN.md, AGENTS.md): found and read on the host before the sandbox starts; text for the model.
export {
  contextFileNames,
  DEFAULT_CONTEXT_FILE_NAMES,
  DEFAULT_CONTEXT_LIMITS,
  type ContextLimits,
} from './context-limits.js'
export {discoverContextFiles, type ContextFileCandidate, type ContextFileScope} from './discover-context-files.js'
export {
  loadProjectContext,
  type ContextFileInfo,
  type LoadContextOptions,
  type ProjectContext,
} from './load-project-context.js'
export {processImports, type ImportOptions} from './process-imports.js'
export {appendMemory, globalMemoryFile, MEMORY_SECTION_HEADER} from './save-memory.js'
