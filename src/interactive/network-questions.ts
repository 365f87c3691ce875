// Interactive mode: when the proxy refused a command's request because the allow list lacks the host, the user is
// asked once per host: allow for this session, always for this project (saved in the user's home), or refuse.
import type {
  ExecEvent,
  ExecHandle,
  ExecOptions,
  ExecResult,
  RefusedDestination,
  SandboxSession,
} from '../sandbox/types.js'

export type HostAnswer = 'session' | 'project' | 'refuse'

export interface NetworkQuestions {
  /** Asks the user about one allow entry (`host` or `host:port`); Esc or Ctrl-C answers refuse. */
  ask(entry: string, destination: RefusedDestination, signal?: AbortSignal): Promise<HostAnswer>
  /** Saves an entry for the project in the user's home; returns the file it went to. */
  remember(entry: string): string
  /** Says in the transcript what was decided (one line). */
  note(line: string): void
}

/** The allow entry a refused destination asks for: the host for the default ports, `host:port` for any other. */
export function entryFor(destination: RefusedDestination): string {
  return destination.port === 80 || destination.port === 443
    ? destination.host
    : `${destination.host}:${destination.port}`
}

/**
 * The session with each foreground command's refusals put to the user before its result goes back to the model; the
 * result then says what the user decided, so the model knows whether running the command again can work.
 */
export function withNetworkQuestions(session: SandboxSession, questions: NetworkQuestions): SandboxSession {
  const allowHost = session.allowHost?.bind(session)
  if (!allowHost) return session
  /** One decision per entry for the whole session (its line for the model); later commands get the same line. */
  const decisions = new Map<string, Promise<string | undefined>>()

  const decide = (destination: RefusedDestination, signal?: AbortSignal): Promise<string | undefined> => {
    const entry = entryFor(destination)
    const known = decisions.get(entry)
    if (known) return known
    const decision = (async (): Promise<string | undefined> => {
      const answer = await questions.ask(entry, destination, signal).catch(() => 'refuse' as const)
      if (answer === 'refuse') {
        questions.note(`network: ${entry} refused for this session`)
        return `network: the user refused ${entry}; do not try to reach it again`
      }
      try {
        await allowHost(entry)
      } catch (error) {
        decisions.delete(entry)
        const line = `network: ${entry} could not be allowed: ${(error as Error).message}`
        questions.note(line)
        return line
      }
      let where = 'for this session'
      if (answer === 'project') {
        try {
          where = `for this project (saved in ${questions.remember(entry)})`
        } catch (error) {
          where = `for this session (not saved: ${(error as Error).message})`
        }
      }
      questions.note(`network: ${entry} allowed ${where}`)
      return `network: the user allowed ${entry} ${where}; run the command again to reach it`
    })()
    decisions.set(entry, decision)
    return decision
  }

  const annotate = async (result: ExecResult, signal?: AbortSignal): Promise<ExecResult> => {
    const refused = result.networkRefused ?? []
    if (refused.length === 0) return result
    const lines: string[] = []
    for (const destination of refused) {
      const line = await decide(destination, signal)
      if (line) lines.push(line)
    }
    return lines.length > 0 ? {...result, networkNotes: [...(result.networkNotes ?? []), ...lines]} : result
  }

  const exec = (command: string, options: ExecOptions = {}): ExecHandle => {
    const handle = session.exec(command, options)
    // A background command's requests come after its result: nobody is waiting for an answer then.
    if (options.background) return handle
    let annotated: Promise<ExecResult> | undefined
    const once = (result: ExecResult): Promise<ExecResult> => (annotated ??= annotate(result, options.signal))
    return {
      result: handle.result.then(once),
      async *[Symbol.asyncIterator](): AsyncIterator<ExecEvent> {
        for await (const event of handle) {
          if (event.type === 'exit') yield {type: 'exit', result: await once(event.result)}
          else yield event
        }
      },
    }
  }

  return new Proxy(session, {
    get(target, property, receiver) {
      if (property === 'exec') return exec
      const value = Reflect.get(target, property, receiver) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
