// Drives a program in a real pseudo-terminal: a tmux server on its own socket, keys in, screen text out, waits with deadlines.
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {promisify} from 'node:util'

const run = promisify(execFile)

export interface TmuxOptions {
  command: string
  cwd: string
  env: Record<string, string | undefined>
  cols?: number
  rows?: number
}

export class TmuxTerminal implements AsyncDisposable {
  /** A socket name no other test or person uses, so kill-server stops only this server. */
  readonly socket = `sandbox-agent-test-${process.pid}-${randomBytes(4).toString('hex')}`

  private constructor(private readonly env: Record<string, string | undefined>) {}

  /** Starts the server with `command` in a window of cols x rows; the pane stays open after the command exits. */
  static async start(options: TmuxOptions): Promise<TmuxTerminal> {
    const terminal = new TmuxTerminal(options.env)
    await terminal.tmux([
      'new-session',
      '-d',
      '-x',
      String(options.cols ?? 80),
      '-y',
      String(options.rows ?? 24),
      '-c',
      options.cwd,
      options.command,
    ])
    await terminal.tmux(['set-option', '-g', 'remain-on-exit', 'on'])
    // Generous scrollback, so a whole conversation can be read back.
    await terminal.tmux(['set-option', '-g', 'history-limit', '20000'])
    return terminal
  }

  private async tmux(args: string[]): Promise<string> {
    const {stdout} = await run('tmux', ['-L', this.socket, ...args], {env: this.env as NodeJS.ProcessEnv})
    return stdout
  }

  /** Named keys as tmux spells them: Enter, C-c, C-d, C-f, BTab, Up, Escape... */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', ...keys])
  }

  /** Literal text (no key-name lookup). */
  async type(text: string): Promise<void> {
    await this.tmux(['send-keys', '-l', text])
  }

  /** Pastes `text` as a terminal does: inside bracketed-paste markers when the program turned that mode on. */
  async paste(text: string): Promise<void> {
    await this.tmux(['set-buffer', '--', text])
    await this.tmux(['paste-buffer', '-p', '-d'])
  }

  /** The visible screen, one string per row; with `escapes`, colours and attributes as SGR escape sequences. */
  async screen(options: {escapes?: boolean} = {}): Promise<string[]> {
    const args = ['capture-pane', '-p', ...(options.escapes ? ['-e'] : [])]
    return (await this.tmux(args)).replace(/\n$/, '').split('\n')
  }

  /** Scrollback and screen together. */
  async everything(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-S', '-', '-E', '-'])
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.tmux(['resize-window', '-x', String(cols), '-y', String(rows)])
  }

  /**
   * Polls the screen (or the whole scrollback) until `test` passes; fails after `timeoutMs` showing what was there.
   */
  async waitFor(
    test: RegExp | ((text: string) => boolean),
    options: {timeoutMs?: number; scrollback?: boolean; what?: string} = {},
  ): Promise<string> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000)
    const check = typeof test === 'function' ? test : (text: string) => test.test(text)
    for (;;) {
      const text = options.scrollback ? await this.everything() : (await this.screen()).join('\n')
      if (check(text)) return text
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${options.what ?? String(test)}. The terminal showed:\n${text}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined)
  }
}
