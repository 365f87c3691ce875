// Wraps a command's handle so its result carries the network notes (and the refused destinations) of its requests.
import type {ExecEvent, ExecHandle, ExecResult} from '../types.js'
import {networkNotes, refusedDestinations} from './network-notes.js'
import type {ProxyMonitor} from './proxy-monitor.js'

/** The same command, with `networkNotes` added to its result (the exit event and `result` agree). */
export function withNetworkNotes(handle: ExecHandle, monitor: ProxyMonitor): ExecHandle {
  const mark = monitor.mark()
  let annotated: Promise<ExecResult> | undefined
  const annotate = (result: ExecResult): Promise<ExecResult> => {
    annotated ??= (async () => {
      // Every event the proxy wrote before the command ended is in once the sync answer arrives.
      await monitor.sync()
      const events = monitor.since(mark)
      const notes = networkNotes({
        events,
        proxyDown: monitor.proxyDown,
        output: `${result.stdout.text}\n${result.stderr.text}`,
        failed: result.exitCode !== 0,
      })
      const refused = refusedDestinations(events)
      return notes.length > 0 || refused.length > 0
        ? {...result, networkNotes: notes, ...(refused.length > 0 ? {networkRefused: refused} : {})}
        : result
    })()
    return annotated
  }
  return {
    result: handle.result.then(annotate),
    async *[Symbol.asyncIterator](): AsyncIterator<ExecEvent> {
      for await (const event of handle) {
        if (event.type === 'exit') yield {type: 'exit', result: await annotate(event.result)}
        else yield event
      }
    },
  }
}
