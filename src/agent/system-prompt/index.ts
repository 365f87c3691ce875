// The system prompt's public surface: the built-in prompt and the assembly with replacements and context files.
export {buildSystemPrompt, type SystemPromptFacts} from './default-system-prompt.js'
export {
  resolveSystemPrompt,
  systemMdPath,
  type ResolvedSystemPrompt,
  type SystemPromptOptions,
  type SystemPromptSource,
} from './resolve-system-prompt.js'
