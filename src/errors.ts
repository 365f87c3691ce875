// Program failures as typed errors: each carries its exit code and a one-line hint, and is printed in one place.

/** Exit codes used across the CLI. 2 is reserved for bad user input, as in most Unix tools. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  userInput: 2,
  docker: 3,
  auth: 4,
  interrupted: 130,
} as const

export interface AgentErrorOptions {
  /** What the user can do about it, in one short sentence. */
  hint?: string
  exitCode?: number
  cause?: unknown
}

/** The base of every error the CLI expects and knows how to explain. */
export class AgentError extends Error {
  readonly hint: string | undefined
  readonly exitCode: number

  constructor(message: string, options: AgentErrorOptions = {}) {
    super(message, {cause: options.cause})
    this.name = 'AgentError'
    this.hint = options.hint
    this.exitCode = options.exitCode ?? ExitCode.failure
  }

  /** The single line shown to the user: what is wrong, then what to do. */
  oneLine(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message
  }
}

/** Bad flags, bad settings, missing files: the user can fix it, exit code 2. */
export class UserInputError extends AgentError {
  constructor(message: string, options: Omit<AgentErrorOptions, 'exitCode'> = {}) {
    super(message, {...options, exitCode: ExitCode.userInput})
    this.name = 'UserInputError'
  }
}

/** The Docker engine is missing, stopped, unreachable or refused an operation. */
export class DockerUnavailableError extends AgentError {
  constructor(message: string, options: Omit<AgentErrorOptions, 'exitCode'> = {}) {
    super(message, {...options, exitCode: ExitCode.docker})
    this.name = 'DockerUnavailableError'
  }
}

/** No usable credentials for the model. */
export class AuthError extends AgentError {
  constructor(message: string, options: Omit<AgentErrorOptions, 'exitCode'> = {}) {
    super(message, {...options, exitCode: ExitCode.auth})
    this.name = 'AuthError'
  }
}

export function isAgentError(error: unknown): error is AgentError {
  return error instanceof AgentError
}
