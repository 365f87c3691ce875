// Wraps a command's handle so its result carries the network notes of the requests made while it ran.
import type {ExecEvent, ExecHandle, ExecResult} from '../types.js'
import {networkNotes} from './network-notes.js'
import type {ProxyMonitor} from './proxy-monitor.js'

/** The same command, with `networkNotes` added to its result (the exit event and `result` agree). */
export function withNetworkNotes(handle: ExecHandle, monitor: ProxyMonitor): ExecHandle {
  const mark = monitor.mark()
  let annotated: Promise<ExecResult> | undefined
  const annotate = (result: ExecResult): Promise<ExecResult> => {
    annotated ??= (async () => {
      // Every event the proxy wrote before the command ended is in once the sync answer arrives.
      await monitor.sync()
      const notes = networkNotes({
        events: monitor.since(mark),
        proxyDown: monitor.proxyDown,
        output: `${result.stdout.text}\n${result.stderr.text}`,
        failed: result.exitCode !== 0,
      })
      return notes.length > 0 ? {...result, networkNotes: notes} : result
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
