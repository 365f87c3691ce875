// The one base for every command: --debug, the log file, and the single place where errors become one line + exit code.
import {Command, Flags, Errors, type Interfaces} from '@oclif/core'

import {AgentError, ExitCode, isAgentError} from '../errors.js'
import {createFileLogger, type Logger} from '../logging/logger.js'
import {stripAnsi} from '../output/sanitize.js'
import {tolerateClosedReader} from './closed-output.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Log at debug level and print where the log file is.',
      helpGroup: 'GLOBAL',
      default: false,
    }),
  }

  protected flags!: BaseFlags<T>
  protected logger!: Logger
  protected logFile!: string
  private debugLogging = false

  override async init(): Promise<void> {
    await super.init()
    const {flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    const debug = Boolean(this.flags.debug) || isTruthy(process.env.DEBUG) || isTruthy(process.env.DEBUG_MODE)
    const {logger, file} = createFileLogger({dataDir: this.config.dataDir, debug})
    this.logger = logger.child({command: this.id})
    this.logFile = file
    if (debug) process.stderr.write(`debug log: ${file}\n`)
    this.debugLogging = debug
    this.logger.debug({argv: this.argv}, 'command start')
    // `agent diff <id> | head -3`: the rest of the output is dropped, the command still cleans up after itself.
    for (const [name, stream] of [
      ['stdout', process.stdout],
      ['stderr', process.stderr],
    ] as const)
      tolerateClosedReader(stream, () => this.logger.debug({stream: name}, 'reader closed early; output dropped'))
  }

  /**
   * `DEBUG`/`DEBUG_MODE` may also come from the project's `.qwen/.env`, known only once the command has loaded its
   * config: raise the log level then (never lower it). Loggers made from `this.logger` afterwards log at debug too.
   */
  protected followConfigDebug = (config: {debug: boolean}): void => {
    if (!config.debug || this.debugLogging) return
    this.debugLogging = true
    this.logger.level = 'debug'
    process.stderr.write(`debug log: ${this.logFile}\n`)
    this.logger.debug({argv: this.argv}, 'debug logging on (from the project config)')
  }

  /** Every failure ends here: known errors as one line, unknown ones with a pointer to the log. */
  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    // oclif's own parse errors (unknown flag, bad option value) are user input: exit 2 with oclif's message.
    if (error.oclif?.exit !== undefined && !isAgentError(error)) {
      this.logger?.debug({err: error}, 'oclif error')
      // A flag or argument problem (a parse error, or a flag value oclif refused): point at the command's help.
      const command = [this.config.bin, ...(this.id ?? '').split(':')].filter(Boolean).join(' ')
      const help = 'parse' in error || /^Parsing --/.test(error.message) ? `. See \`${command} --help\`` : ''
      this.logToStderr(`Error: ${parseErrorLine(error.message)}${help}`)
      return this.exit(error.oclif.exit === 1 ? ExitCode.userInput : error.oclif.exit)
    }
    if (isAgentError(error)) {
      this.logger?.warn({err: error}, 'command failed')
      this.logToStderr(`Error: ${error.oneLine()}`)
      return this.exit(error.exitCode)
    }
    this.logger?.error({err: error}, 'unexpected error')
    const where = this.logFile ? ` (details in ${this.logFile})` : ''
    this.logToStderr(`Error: ${firstLine(error.message)}${where}`)
    return this.exit(ExitCode.failure)
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.logger?.debug({ok: !error}, 'command end')
    return super.finally(error)
  }
}

export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? text
  )
}

/**
 * oclif's parse errors as one line: its "The following error occurred:" header and "See more help" footer dropped,
 * colours stripped, several reasons joined with "; ".
 */
export function parseErrorLine(text: string): string {
  const reasons = stripAnsi(text)
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) => line !== '' && !/^The following errors? occurred:?$/i.test(line) && !/^See more help with/i.test(line),
    )
  // oclif's flag-value errors read "Parsing --flag" then the reason: make that "--flag: reason".
  const line = (reasons.join('; ') || firstLine(text)).replace(/^Parsing (--[\w-]+); /, '$1: ')
  return line.replace(/[.\s]+$/, '')
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'
}

export {AgentError}
