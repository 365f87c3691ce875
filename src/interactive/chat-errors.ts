// How the session words an error in one line, and how it tells a cancel from a failure.
import {isAgentError} from '../errors.js'

export function errorMessage(error: unknown): string {
  return isAgentError(error) ? error.oneLine() : error instanceof Error ? error.message : String(error)
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError'
}
