// The one line a signal's cleanup ends with: what was really done to each sandbox (kept, removed, or not).
import type {CleanupReport} from '../sandbox/lifecycle/session-cleanup.js'

export function describeCleanup(
  cause: string,
  reports: readonly CleanupReport[],
  options: {quietWhenRemoved?: boolean} = {},
): string {
  const lines = reports.map((report) => {
    if (report.done === 'kept')
      return (
        `${cause}: the sandbox is kept (stopped): review with \`agent diff ${report.id}\`, then ` +
        `\`agent apply ${report.id}\` or \`agent discard ${report.id}\``
      )
    if (report.done === 'removed') return options.quietWhenRemoved ? '' : `${cause}: the sandbox was removed`
    const why = report.error instanceof Error ? report.error.message.split('\n')[0] : String(report.error)
    return `${cause}: could not clean up the sandbox ${report.id} (${why}); remove it with \`agent discard ${report.id}\``
  })
  const text = lines.filter(Boolean).join('\n')
  return text ? `\n${text}\n` : ''
}
