// Names MCP tools as Qwen Code does: the tool's own name, or `server__tool` when it is taken; both made valid.

/** The longest name the model APIs accept. */
const MAX_NAME = 64

/** A name the model APIs accept: other characters become `_`, a leading digit gets `_`, a long name loses its middle. */
export function validToolName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9_-]/g, '_')
  if (name === '' || /^[0-9-]/.test(name)) name = `_${name}`
  if (name.length <= MAX_NAME) return name
  const keep = MAX_NAME - 3
  return `${name.slice(0, Math.ceil(keep / 2))}___${name.slice(name.length - Math.floor(keep / 2))}`
}

/**
 * Picks the registered name of `tool` from `server`: its own name unless `taken` has it (a built-in, a plugin's tool,
 * or an earlier server's), then `server__tool`; undefined when both are taken. Adds the name chosen to `taken`.
 */
export function chooseToolName(server: string, tool: string, taken: Set<string>): string | undefined {
  for (const candidate of [validToolName(tool), validToolName(`${server}__${tool}`)]) {
    if (taken.has(candidate)) continue
    taken.add(candidate)
    return candidate
  }
  return undefined
}
