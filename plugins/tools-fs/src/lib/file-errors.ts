// Turns what the sandbox throws for a path into one sentence the model can act on.
export function isNotFound(error: unknown): boolean {
  const code = (error as {code?: unknown} | null)?.code
  if (code === 'ENOENT' || code === 404) return true
  const message = error instanceof Error ? error.message : String(error)
  return /no such file|not found|does not exist|ENOENT/i.test(message)
}

export function describeFileError(error: unknown, path: string): string {
  if (isNotFound(error)) return `File not found: ${path}`
  const message = error instanceof Error ? error.message : String(error)
  return `Could not access ${path}: ${message.split('\n')[0]}`
}
