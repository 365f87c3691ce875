// The apply policy: one function that judges every change of a change set before anything reaches the host.
import path from 'node:path'

import type {ChangeSet, ChangeVerdict, FileChange} from '../types.js'
import {isGitComponent, sensitiveReason} from './sensitive-paths.js'

/** One entry of the tree as it was copied in (the manifest, by path). */
export interface BaseEntry {
  type: 'f' | 'd' | 'l' | 'o'
  mode: number
  link?: string
}

export interface PolicyContext {
  /** The workspace as it was copied in, by workspace-relative path. */
  base: ReadonlyMap<string, BaseEntry>
  /** Hook directories the host's git config names (see git-hooks-dirs.ts). */
  hooksDirs?: readonly string[]
  /** Paths the sandbox's listing could not read: nothing at or below them is applied (or deleted on the host). */
  unreadable?: readonly string[]
}

export const UNREADABLE_REASON = 'unreadable in the sandbox, not applied'

/** True when `rel` is one of `roots` or below one. */
function atOrBelow(rel: string, roots: ReadonlySet<string>): boolean {
  if (roots.size === 0) return false
  if (roots.has(rel)) return true
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) if (roots.has(rel.slice(0, i))) return true
  return false
}

/** Links followed while resolving one link before giving up (Linux's own limit). */
const MAX_LINK_HOPS = 40

type TreeEntry = {type: 'file' | 'directory' | 'symlink' | 'other'; link?: string}

/** Why a workspace-relative path may never be written, or undefined when it may. */
export function pathProblem(rel: string): string | undefined {
  if (rel === '' || rel.includes('\0')) return 'empty or invalid path'
  if (rel.startsWith('/') || path.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return 'absolute path'
  if (rel.includes('\\')) return 'backslash in path'
  const segments = rel.split('/')
  if (segments.some((s) => s === '..')) return 'path escapes the project (..)'
  if (segments.some((s) => s === '' || s === '.')) return 'non-canonical path'
  if (segments.some(isGitComponent))
    return 'changes to .git are never applied (hooks and config could run code on the host)'
  return undefined
}

/**
 * Where a link at `rel` pointing to `target` resolves in `tree`, following links on the way as the kernel would
 * (`a/..` where `a` is a link goes to the parent of a's target). Returns the workspace-relative path ('.' for the
 * root), or why it cannot be allowed.
 */
export function resolveLink(
  rel: string,
  target: string,
  tree: ReadonlyMap<string, TreeEntry>,
): {resolved: string} | {problem: string} {
  if (target === '' || target.includes('\0')) return {problem: 'empty or invalid symlink target'}
  if (path.posix.isAbsolute(target)) return {problem: `symlink to an absolute path (${target})`}
  const current = rel.split('/').slice(0, -1)
  const pending = target.split('/')
  let hops = 0
  while (pending.length > 0) {
    const part = pending.shift()!
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (current.length === 0) return {problem: `symlink resolves outside the project (${target})`}
      current.pop()
      continue
    }
    current.push(part)
    const entry = tree.get(current.join('/'))
    if (entry?.type !== 'symlink') continue
    hops += 1
    if (hops > MAX_LINK_HOPS) return {problem: `symlink chain too long or looping (${target})`}
    const next = entry.link ?? ''
    if (next === '' || path.posix.isAbsolute(next))
      return {problem: `symlink resolves outside the project through ${current.join('/')} (${target})`}
    current.pop()
    pending.unshift(...next.split('/'))
  }
  return {resolved: current.length === 0 ? '.' : current.join('/')}
}

function treeOf(base: ReadonlyMap<string, BaseEntry>): Map<string, TreeEntry> {
  const names = {f: 'file', d: 'directory', l: 'symlink', o: 'other'} as const
  const tree = new Map<string, TreeEntry>()
  for (const [rel, entry] of base)
    tree.set(rel, {type: names[entry.type], ...(entry.link !== undefined ? {link: entry.link} : {})})
  return tree
}

/** Why a link may not be created, judged against a tree; undefined with where it goes when it may. */
function judgeLink(change: FileChange, tree: ReadonlyMap<string, TreeEntry>): {problem?: string; resolved?: string} {
  const result = resolveLink(change.path, change.linkTarget ?? '', tree)
  if ('problem' in result) return {problem: result.problem}
  if (result.resolved.split('/').some(isGitComponent)) return {problem: `symlink into .git (${change.linkTarget})`}
  return {resolved: result.resolved}
}

function judgeOne(
  change: FileChange,
  context: PolicyContext,
  finalTree: ReadonlyMap<string, TreeEntry>,
  baseTree: ReadonlyMap<string, TreeEntry>,
  unreadable: ReadonlySet<string>,
): ChangeVerdict {
  const verdict: ChangeVerdict = {}
  const problem = pathProblem(change.path)
  if (problem) return {refused: problem}
  if (atOrBelow(change.path, unreadable)) return {refused: UNREADABLE_REASON}
  const sensitive = sensitiveReason(change.path, context.hooksDirs)
  if (sensitive) verdict.sensitive = sensitive
  if (change.kind === 'deleted') return verdict
  if (change.entryType === 'other') return {...verdict, refused: 'device files, fifos and sockets are not applied'}

  if (change.entryType === 'symlink') {
    // Judged against the final tree (every change applied) and against the host as it was plus this link alone, so
    // neither a chain of new links nor a change held back on the way can make it point out of the project.
    const final = judgeLink(change, finalTree)
    const alone = judgeLink(change, new Map([...baseTree, [change.path, {type: 'symlink', link: change.linkTarget}]]))
    const refused = final.problem ?? alone.problem
    if (refused) return {...verdict, refused}
    verdict.resolvesTo = final.resolved!
    const into = sensitiveReason(final.resolved!, context.hooksDirs)
    if (into && !verdict.sensitive) verdict.sensitive = `link into ${into}`
    return verdict
  }

  const mode = (change.mode ?? 0) & 0o777
  const before = change.previousMode === undefined ? undefined : change.previousMode & 0o777
  if (before !== undefined && before !== mode && change.mode !== undefined)
    verdict.modeChange = {from: before, to: mode}
  if (change.entryType === 'file' && (mode & 0o111 & ~(before ?? 0)) !== 0) verdict.gainsExec = true
  if ((mode & 0o022 & ~(before ?? 0)) !== 0) verdict.writable = true
  return verdict
}

/**
 * Judges every change: refused (never applied), sensitive (only with the second confirmation), mode changes, new
 * executable and writable bits, and where each new or changed link resolves. Returns the change set with a verdict
 * on every change; the renderers show verdicts and apply obeys them, neither decides on its own.
 */
export function judgeChanges(changeSet: ChangeSet, context: PolicyContext): ChangeSet {
  const baseTree = treeOf(context.base)
  const finalTree = new Map(baseTree)
  const unreadable = new Set(context.unreadable ?? [])
  for (const change of changeSet.changes) {
    // Never applied: the host keeps what it has there.
    if (atOrBelow(change.path, unreadable)) continue
    if (change.kind === 'deleted') finalTree.delete(change.path)
    else
      finalTree.set(change.path, {
        type: change.entryType,
        ...(change.linkTarget !== undefined ? {link: change.linkTarget} : {}),
      })
  }
  return {
    ...changeSet,
    changes: changeSet.changes.map((change) => ({
      ...change,
      verdict: judgeOne(change, context, finalTree, baseTree, unreadable),
    })),
  }
}

/** The changes a second confirmation would be about (sensitive paths, writable bits), for the question and the hint. */
export function needsSecondConfirmation(changeSet: ChangeSet): FileChange[] {
  return changeSet.changes.filter((c) => !c.verdict?.refused && (c.verdict?.sensitive || c.verdict?.writable))
}
