// Plain-text renderings of a change set and an apply report, for `agent diff`, `agent apply` and the run summary.
// They show the apply policy's verdicts (refused, sensitive, modes, links); they never decide anything themselves.
import path from 'node:path'

import {safeLine, showControls} from '../../output/sanitize.js'
import type {ApplyReport, ChangeSet, FileChange, UnreadableEntry} from '../types.js'
import {UNREADABLE_REASON} from './apply-policy.js'

const MARK = {added: 'A', modified: 'M', deleted: 'D'} as const

/** `A path (notes)`: the change's mark, its path made safe to print, and what is special about it. */
export function changeLine(change: FileChange): string {
  return `${MARK[change.kind]} ${safeLine(change.path)}${describeChange(change)}`
}

/** One line per change: `M path`, with what is special about it (policy verdicts, binary, link, host changed). */
export function renderChangeSummary(changeSet: ChangeSet): string {
  const extra = notAppliedLines(changeSet)
  if (changeSet.changes.length === 0 && extra.length === 0) return 'No changes.\n'
  return [...changeSet.changes.map(changeLine), ...extra].map((line) => `${line}\n`).join('')
}

/** `? path (unreadable in the sandbox, not applied)` for one entry the listing could not read. */
export function unreadableLine(entry: UnreadableEntry): string {
  const what = entry.entryType === 'directory' ? ', its contents unknown' : ''
  const host = entry.onHost ? '; the host copy is left as it is' : ''
  return `? ${safeLine(entry.path)} (${UNREADABLE_REASON}${what}${host})`
}

/** The one line for a change set over sandbox.maxApplyFiles (`nothing can be applied` before an apply is tried). */
export function overLimitLine(overLimit: {count: number; limit: number}, outcome = 'nothing was applied'): string {
  const n = (value: number) => value.toLocaleString('en-US')
  return (
    `The sandbox changed ${n(overLimit.count)} entries, more than sandbox.maxApplyFiles (${n(overLimit.limit)}): ` +
    `${outcome}. Remove what should not be applied in the sandbox, or raise sandbox.maxApplyFiles in ` +
    '~/.qwen/settings.json, then apply again.'
  )
}

/** What a change set says beyond its changes: entries that cannot be read, and a count over the limit. */
export function notAppliedLines(changeSet: ChangeSet): string[] {
  const lines = (changeSet.unreadable ?? []).map(unreadableLine)
  if (changeSet.overLimit) {
    lines.push(`… only the first ${changeSet.changes.length.toLocaleString('en-US')} entries are listed`)
    lines.push(overLimitLine(changeSet.overLimit, 'nothing can be applied'))
  }
  return lines
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, '0')
}

/** ` (note, note)` for a change, or '' when nothing is special about it. */
export function describeChange(change: FileChange): string {
  const notes: string[] = []
  const verdict = change.verdict ?? {}
  if (verdict.refused) notes.push(`REFUSED: ${safeLine(verdict.refused)}`)
  if (verdict.sensitive) notes.push(`SENSITIVE: ${verdict.sensitive}`)
  if (change.entryType === 'directory') notes.push('directory')
  if (change.entryType === 'symlink' && change.linkTarget !== undefined) {
    const lexical = path.posix.normalize(path.posix.join(path.posix.dirname(change.path), change.linkTarget))
    const resolved = verdict.resolvesTo
    notes.push(
      `-> ${safeLine(change.linkTarget)}${resolved !== undefined && resolved !== lexical ? ` (resolves to ${safeLine(resolved)})` : ''}`,
    )
  }
  if (change.entryType === 'other') notes.push('special file')
  if (change.binary && change.entryType === 'file') notes.push(`binary, ${change.size ?? '?'} bytes`)
  if (verdict.modeChange) notes.push(`mode ${octal(verdict.modeChange.from)} -> ${octal(verdict.modeChange.to)}`)
  else if (change.kind === 'added' && change.mode !== undefined && (verdict.gainsExec || verdict.writable))
    notes.push(`mode ${octal(change.mode)}`)
  if (verdict.gainsExec) notes.push('EXECUTABLE')
  if (verdict.writable) notes.push('GROUP/WORLD-WRITABLE')
  if (change.hostChanged) notes.push('changed on the host too')
  return notes.length > 0 ? ` (${notes.join(', ')})` : ''
}

/** Unified diffs for text files; a one-line note for everything else (and for any verdict worth a look). */
export function renderChangeDiff(changeSet: ChangeSet): string {
  let out = ''
  for (const change of changeSet.changes) {
    const notes = describeChange({...change, binary: false})
    if (change.diff) {
      if (notes !== '') out += `# ${safeLine(change.path)}${notes}\n`
      // File contents from the sandbox: their escape sequences are shown, never sent to the terminal.
      out += showControls(change.diff)
      if (change.diffTruncated) out += '\\ (diff truncated)\n'
    } else if (change.entryType !== 'directory' || notes !== ' (directory)') {
      const what = change.binary
        ? `Binary file ${safeLine(change.path)}`
        : `${change.entryType} ${safeLine(change.path)}`
      const hash = change.sha256 ? ` sha256 ${change.sha256.slice(0, 16)}` : ''
      const size = change.size !== undefined ? `, ${change.size} bytes` : ''
      out += `${what} ${change.kind}${size}${hash}${notes}\n`
    }
  }
  for (const line of notAppliedLines(changeSet)) out += `# ${line}\n`
  return out
}

export function renderApplyReport(report: ApplyReport): string {
  if (report.overLimit) return `${overLimitLine(report.overLimit)}\n`
  let out = `Applied ${report.applied.length} change${report.applied.length === 1 ? '' : 's'}`
  out += report.refused.length > 0 ? `, refused ${report.refused.length}:\n` : '.\n'
  for (const refused of report.refused) out += `  ${safeLine(refused.path)}: ${safeLine(refused.reason)}\n`
  out += renderHeldBack(report)
  return out
}

/** The sensitive changes not applied and the bits dropped, with how to apply them. */
export function renderHeldBack(report: ApplyReport): string {
  let out = ''
  const held = report.heldBack ?? []
  if (held.length > 0) {
    out += `Held back ${held.length} sensitive change${held.length === 1 ? '' : 's'} (apply with --apply-sensitive):\n`
    for (const entry of held) out += `  ${safeLine(entry.path)}: ${safeLine(entry.reason)}\n`
  }
  const dropped = report.writableDropped ?? []
  if (dropped.length > 0) {
    out += `Applied without group/world-writable bits (keep them with --apply-sensitive):\n`
    for (const rel of dropped) out += `  ${safeLine(rel)}\n`
  }
  const unreadable = report.unreadable ?? []
  if (unreadable.length > 0) {
    out += `Not applied, ${UNREADABLE_REASON.replace(', not applied', '')} (the host copies are left as they are):\n`
    for (const rel of unreadable) out += `  ${safeLine(rel)}\n`
  }
  return out
}
