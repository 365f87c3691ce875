// /approval-mode [mode]: default, auto-edit or yolo; also what Shift+Tab switches.
import {APPROVAL_MODES, parseApprovalMode, type ApprovalMode} from '../../agent/approvals.js'
import type {ChatContext} from '../chat-context.js'
import type {SlashCommand} from './slash-command.js'

const WHAT: Record<ApprovalMode, string> = {
  default: 'asks before each shell command and edit',
  'auto-edit': 'edits run without asking; shell commands are asked about',
  yolo: 'nothing is asked (the sandbox is still the boundary)',
}

/** Switches the mode and says what it means. */
export function switchApprovalMode({state, screen}: Pick<ChatContext, 'state' | 'screen'>, mode: ApprovalMode): void {
  state.approvals.setMode(mode)
  screen.setNotice(`Approval mode: ${mode} (${WHAT[mode]})`)
  screen.scheduleRender()
}

/** Shift+Tab: the next mode, default → auto-edit → yolo → default. */
export function cycleApprovalMode(context: Pick<ChatContext, 'state' | 'screen'>): void {
  const modes = APPROVAL_MODES
  const next = modes[(modes.indexOf(context.state.approvals.mode) + 1) % modes.length] as ApprovalMode
  switchApprovalMode(context, next)
}

export const approvalModeCommand: SlashCommand = {
  name: 'approval-mode',
  usage: '[mode]',
  summary: 'default, auto-edit or yolo (also Shift+Tab)',
  async run(context, args) {
    const {bold} = context.screen.style
    if (args !== '') {
      switchApprovalMode(context, parseApprovalMode(args))
      context.screen.note(`Approval mode: ${bold(args)}`)
      return
    }
    const mode = await context.prompts.choose<ApprovalMode | undefined>(
      `Approval mode (now ${context.state.approvals.mode}):`,
      [
        {key: 'd', label: 'default: ask before shell commands and edits', value: 'default'},
        {key: 'e', label: 'auto-edit: edits without asking, ask before shell commands', value: 'auto-edit'},
        {key: 'y', label: 'yolo: never ask (the sandbox is still the boundary)', value: 'yolo'},
      ],
      {escapeValue: undefined, interruptValue: undefined},
    )
    if (mode) {
      switchApprovalMode(context, mode)
      context.screen.note(`Approval mode: ${bold(mode)}`)
    }
  },
}
