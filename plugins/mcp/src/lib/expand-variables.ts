// `$VAR` and `${VAR}` in an entry's env values and headers, replaced from the host environment (Qwen Code's syntax).

/** Replaces references to variables the environment has; a reference to an unset variable becomes empty. */
export function expandVariables(value: string, env: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced, bare) => {
    return env[(braced ?? bare) as string] ?? ''
  })
}
