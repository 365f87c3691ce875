// The network part of a run's summary for people: requests per host through the proxy, and a proxy that stopped.
import type {NetworkSummary} from '../sandbox/types.js'

const MAX_HOSTS = 8

/** `Network: web.test:443 12 allowed (1.2 MB) · other.test:443 1 refused`, then a line if the proxy stopped. */
export function networkSummaryLines(summary: NetworkSummary): string[] {
  const entries = Object.entries(summary.hosts).sort(([, a], [, b]) => b.allowed + b.refused - (a.allowed + a.refused))
  const parts = entries.slice(0, MAX_HOSTS).map(([host, traffic]) => {
    const counts = [
      traffic.allowed > 0 ? `${traffic.allowed} allowed (${formatBytes(traffic.bytesUp + traffic.bytesDown)})` : '',
      traffic.refused > 0 ? `${traffic.refused} refused` : '',
    ].filter(Boolean)
    return `${host} ${counts.join(', ')}`
  })
  if (entries.length > MAX_HOSTS) parts.push(`${entries.length - MAX_HOSTS} more hosts`)
  const lines = [`Network: ${parts.length > 0 ? parts.join(' · ') : 'no requests'}`]
  if (summary.proxyDown) lines.push(`Network: ${summary.proxyDown} during the run; later commands had no network`)
  return lines
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`
}
