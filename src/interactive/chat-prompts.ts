// Questions asked in place of the prompt: a choice list, a line of free text, and the approval question for a tool.
import type {ApprovalAnswer, ApprovalRequest} from '../agent/approvals.js'
import {showControls} from '../output/terminal-text.js'
import type {ChatScreen} from './chat-screen.js'
import {ChoiceWidget, QuestionWidget, type Choice, type Widget} from './widgets.js'

export interface ChooseOptions<T> {
  signal?: AbortSignal
  /** What Esc answers (absent: Esc does nothing). */
  escapeValue?: T
  /** What Ctrl-C answers (absent: Ctrl-C does what it does elsewhere). */
  interruptValue?: T
}

export class ChatPrompts {
  constructor(private readonly screen: ChatScreen) {}

  choose<T>(title: string, choices: Choice<T>[], options: ChooseOptions<T> = {}): Promise<T> {
    return this.ask((done) => new ChoiceWidget(this.screen.style, title, choices, done, options), options.signal)
  }

  question(text: string, signal?: AbortSignal): Promise<string> {
    return this.ask((done) => new QuestionWidget(this.screen.style, text, done), signal)
  }

  /** The approvals' prompter: once, always for this scope, or no with a reason for the model. */
  async approval(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
    const {red, green, dim} = this.screen.style
    const where = request.actsOn === 'host' ? ' ON THE HOST' : ' in the sandbox'
    // What the model asked for, shown as it is: escape sequences in it must not act on the terminal.
    const scope = showControls(request.alwaysScope)
    const title =
      request.command !== undefined
        ? `Run this command${where}?`
        : `Allow ${request.toolName}${where}? ${showControls(request.description)}`
    const outcome = await this.choose<ApprovalAnswer['outcome']>(
      title,
      [
        {key: 'y', label: 'Yes, once', value: 'allow_once'},
        {key: 'a', label: `Yes, and don't ask again for ${scope}`, value: 'allow_always_prefix'},
        {key: 'n', label: 'No, and tell the agent why', value: 'deny'},
      ],
      {signal, escapeValue: 'deny'},
    )
    if (outcome === 'allow_once') {
      this.screen.note(`  ${green('✓')} ${dim('allowed once')}`)
      return {outcome}
    }
    if (outcome === 'allow_always_prefix') {
      this.screen.note(`  ${green('✓')} ${dim(`allowed; not asking again for ${scope}`)}`)
      return {outcome}
    }
    const reason = await this.question('Why not? The agent reads this (Enter to skip, Esc for none):', signal)
    this.screen.note(`  ${red('✗')} ${dim(reason ? `denied: ${reason}` : 'denied')}`)
    return reason ? {outcome, reason} : {outcome}
  }

  /** Shows a widget until it answers (or the signal aborts, which rejects). */
  private ask<T>(make: (done: (value: T) => void) => Widget, signal?: AbortSignal): Promise<T> {
    const screen = this.screen
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error)
      const onAbort = () => {
        if (screen.widget === widget) screen.widget = undefined
        screen.scheduleRender()
        reject(signal?.reason as Error)
      }
      const widget = make((value) => {
        signal?.removeEventListener('abort', onAbort)
        if (screen.widget === widget) screen.widget = undefined
        screen.scheduleRender()
        resolve(value)
      })
      signal?.addEventListener('abort', onAbort, {once: true})
      screen.widget = widget
      screen.scheduleRender()
    })
  }
}
