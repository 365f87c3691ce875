// Plain-text renderings of a change set and an apply report, for `agent diff`, `agent apply` and the run summary.
import type {ApplyReport, ChangeSet, FileChange} from '../types.js'

const MARK = {added: 'A', modified: 'M', deleted: 'D'} as const

/** One line per change: `M path`, with what is special about it (binary, link, host changed). */
export function renderChangeSummary(changeSet: ChangeSet): string {
  if (changeSet.changes.length === 0) return 'No changes.\n'
  return changeSet.changes.map((change) => `${MARK[change.kind]} ${change.path}${describe(change)}\n`).join('')
}

function describe(change: FileChange): string {
  const notes: string[] = []
  if (change.entryType === 'directory') notes.push('directory')
  if (change.entryType === 'symlink' && change.linkTarget !== undefined) notes.push(`-> ${change.linkTarget}`)
  if (change.entryType === 'other') notes.push('special file')
  if (change.binary && change.entryType === 'file') notes.push(`binary, ${change.size ?? '?'} bytes`)
  if (change.hostChanged) notes.push('changed on the host too')
  return notes.length > 0 ? ` (${notes.join(', ')})` : ''
}

/** Unified diffs for text files; a one-line note for everything else. */
export function renderChangeDiff(changeSet: ChangeSet): string {
  if (changeSet.changes.length === 0) return ''
  let out = ''
  for (const change of changeSet.changes) {
    if (change.diff) {
      out += change.diff
      if (change.diffTruncated) out += '\\ (diff truncated)\n'
    } else if (change.entryType !== 'directory') {
      const what = change.binary ? `Binary file ${change.path}` : `${change.entryType} ${change.path}`
      const hash = change.sha256 ? ` sha256 ${change.sha256.slice(0, 16)}` : ''
      const size = change.size !== undefined ? `, ${change.size} bytes` : ''
      out += `${what} ${change.kind}${size}${hash}${describe({...change, binary: false})}\n`
    }
  }
  return out
}

export function renderApplyReport(report: ApplyReport): string {
  let out = `Applied ${report.applied.length} change${report.applied.length === 1 ? '' : 's'}`
  out += report.refused.length > 0 ? `, refused ${report.refused.length}:\n` : '.\n'
  for (const refused of report.refused) out += `  ${refused.path}: ${refused.reason}\n`
  return out
}
