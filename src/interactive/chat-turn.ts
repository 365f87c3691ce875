// One message to the model: the agent loop run in the session's sandbox, its events drawn as they come.
import {runAgent} from '../agent/run-agent.js'
import type {ChatContext} from './chat-context.js'
import type {TerminalHost} from './interactive-shell.js'
import {hostQuestions} from './chat-network.js'

/** Sends `text` (pastes in full); the scrollback shows `shown` (large pastes as `[pasted N lines]`). */
export async function runTurn(context: ChatContext, host: TerminalHost, text: string, shown = text): Promise<void> {
  const {options, state, screen, sandbox} = context
  screen.transcript.userMessage(shown)
  state.prompts += 1
  const model = state.model()
  if (!model) {
    screen.note(screen.style.yellow('No model to talk to yet: choose an authentication method with /auth.'))
    return
  }
  const controller = new AbortController()
  state.turn = controller
  const session = await sandbox.ready(controller.signal)
  if (!session) {
    if (controller.signal.aborted) screen.note(screen.style.yellow('Cancelled.'))
    return
  }
  // The conversation is saved from its first message on, with the sandbox it works in.
  if (!state.recorder && options.sessions) state.recorder = options.sessions.start(text)
  if (state.recorder && state.recordedSandbox !== session.id) {
    state.recorder.sandbox(session.id)
    state.recordedSandbox = session.id
  }
  state.limits ??= options.limits?.(model.model)
  const run = runAgent({
    model,
    tools: options.tools,
    session: sandbox.forTools(session, host, hostQuestions(context)),
    approvals: state.approvals,
    signal: controller.signal,
    maxTurns: options.maxTurns,
    prompt: text,
    logger: options.logger,
    cwd: options.config.projectRoot,
    conversation: state.conversation,
    ...(state.recorder ? {recorder: state.recorder} : {}),
    ...(state.limits ?? {}),
    ...(options.systemPrompt ? {systemPrompt: options.systemPrompt()} : {}),
  })
  let usedTools = false
  for await (const event of run) {
    if (event.type === 'tool_call_started') usedTools = true
    screen.transcript.handle(event)
    screen.scheduleRender()
  }
  state.turn = undefined
  state.cancelling = false
  if (usedTools) await sandbox.refreshChanges()
}
