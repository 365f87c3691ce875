// How many tokens a model's context window holds: `model.contextWindowSize` when set, else a small table of common
// OpenAI-compatible models by name, else a conservative default.

/** For a model the table does not know: small enough for nearly every current model, so compression starts in time. */
export const DEFAULT_CONTEXT_WINDOW = 131_072

const K = 1024

/** Checked in order: the first pattern that matches the lower-cased model name wins (specific names before families). */
const WINDOWS: readonly (readonly [RegExp, number])[] = [
  // Qwen (DashScope / ModelScope / OpenRouter names alike)
  [/qwen3-coder-(plus|flash)/, 1024 * K],
  [/qwen3-coder/, 256 * K],
  [/qwen3-max/, 256 * K],
  [/qwen-max/, 32 * K],
  [/qwen-(plus|turbo|flash)(-latest|-2025)/, 1000 * K],
  [/qwen-(plus|turbo|flash)/, 128 * K],
  [/qwen3-(235b|30b|32b|14b|8b)/, 128 * K],
  [/qwen2\.5-coder/, 32 * K],
  [/qwen/, 32 * K],
  // OpenAI
  [/gpt-5/, 400 * K],
  [/gpt-4\.1/, 1024 * K],
  [/gpt-4o|gpt-4-turbo/, 128 * K],
  [/(^|\/)o[134]([-.]|$)/, 200 * K],
  [/gpt-4/, 8 * K],
  [/gpt-3\.5/, 16 * K],
  // Others seen behind OpenAI-compatible endpoints
  [/deepseek/, 128 * K],
  [/kimi-k2/, 256 * K],
  [/glm-4\.[56]/, 128 * K],
  [/claude/, 200 * K],
  [/gemini/, 1024 * K],
]

/** The window in tokens: the setting when given, else the table's entry for the name, else the default. */
export function contextWindowFor(model: string | undefined, setting?: number): number {
  if (setting !== undefined) return setting
  const name = (model ?? '').toLowerCase()
  for (const [pattern, tokens] of WINDOWS) if (pattern.test(name)) return tokens
  return DEFAULT_CONTEXT_WINDOW
}
