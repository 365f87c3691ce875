// What went wrong with a file, in a few words for an error line ("no such file", "permission denied", ...).

export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  return code ?? (error instanceof Error ? error.message : String(error))
}
