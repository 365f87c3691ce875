// Handing the keyboard and the screen to a command running on a pseudo-terminal (Ctrl+F), and taking them back.
import {stripAnsi} from '../output/terminal-text.js'
import type {ChatScreen} from './chat-screen.js'
import type {LiveTerminal, TerminalHost} from './interactive-shell.js'
import {ALT_SCREEN_OFF, ALT_SCREEN_ON, SHOW_CURSOR} from './terminal-modes.js'

const CTRL_F = 0x06

export class CommandFocus implements TerminalHost {
  private terminal: LiveTerminal | undefined
  private focused = false
  private rawAtLineStart = true
  /** The focused command's last unfinished line (a REPL prompt), shown again when it gets the keyboard back. */
  private rawTail = ''

  constructor(
    private readonly screen: ChatScreen,
    private readonly write: (text: string) => void,
    private readonly terminalSize: () => {cols: number; rows: number},
  ) {}

  /** A command that can take the keyboard runs. */
  get available(): boolean {
    return this.terminal !== undefined
  }

  get active(): boolean {
    return this.focused
  }

  /**
   * Input while the command has the keyboard goes to it, up to a Ctrl+F (which takes the keyboard back); returns
   * what is left for the session's own keys.
   */
  take(data: Buffer): Buffer {
    if (!this.focused || !this.terminal) return data
    const at = data.indexOf(CTRL_F)
    if (at === -1) {
      this.terminal.write(data)
      return data.subarray(data.length)
    }
    if (at > 0) this.terminal.write(data.subarray(0, at))
    this.unfocus()
    return data.subarray(at + 1)
  }

  resize(columns: number, rows: number): void {
    this.terminal?.resize(columns, rows)
  }

  size(): {cols: number; rows: number} {
    return this.terminalSize()
  }

  started(terminal: LiveTerminal): void {
    this.terminal = terminal
    this.screen.canFocus = true
    this.rawTail = ''
    this.screen.transcript.terminalStarted()
    this.screen.scheduleRender()
  }

  output(_terminal: LiveTerminal, chunk: Buffer): void {
    if (this.focused) {
      const text = chunk.toString('utf8')
      this.write(text)
      this.rawAtLineStart = chunk.at(-1) === 0x0a
      const at = text.lastIndexOf('\n')
      this.rawTail = at === -1 ? this.rawTail + text : text.slice(at + 1)
    }
    this.screen.transcript.terminalOutput(chunk, !this.focused)
    this.screen.scheduleRender()
  }

  ended(terminal: LiveTerminal): void {
    if (this.terminal !== terminal) return
    if (this.focused) this.unfocus()
    this.terminal = undefined
    this.screen.canFocus = false
    this.screen.scheduleRender()
  }

  /** Ctrl+F: the keyboard and the screen go to the running command until Ctrl+F again (or until it ends). */
  focus(): void {
    const terminal = this.terminal
    if (!terminal || this.focused) return
    const {screen} = this
    const transcript = screen.transcript
    const full = transcript.fullScreen
    screen.lend()
    const partial = full ? '' : transcript.partialOutput() || stripAnsi(this.rawTail)
    this.focused = true
    terminal.userTookOver()
    // A full-screen program gets a screen of its own, so leaving it (Ctrl+F) brings the conversation back intact.
    let out = full ? `${ALT_SCREEN_ON}\u001B[H\u001B[2J` : ''
    out += `${screen.style.dim('── the keyboard goes to the command; Ctrl+F gives it back ──')}\r\n`
    if (partial) out += partial
    this.rawAtLineStart = !partial
    this.rawTail = partial
    this.write(out + SHOW_CURSOR)
    transcript.terminalReleased()
    if (transcript.fullScreen) {
      // A size change makes full-screen programs redraw everything.
      const {cols, rows} = this.size()
      terminal.resize(cols, Math.max(1, rows - 1))
      setTimeout(() => terminal.resize(cols, rows), 60).unref()
    }
  }

  private unfocus(): void {
    if (!this.focused) return
    this.focused = false
    const transcript = this.screen.transcript
    let out = ''
    if (transcript.fullScreen) out += ALT_SCREEN_OFF
    else if (!this.rawAtLineStart) out += '\r\n'
    this.write(out)
    transcript.terminalReleased()
    this.screen.reclaim()
  }
}
