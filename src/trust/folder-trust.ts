// Decides whether a folder is trusted from the rules of ~/.qwen/trustedFolders.json: the most specific rule wins.
import path from 'node:path'

import type {TrustLevel} from './trust-level.js'

export interface TrustRule {
  /** Absolute path as written in the file. */
  path: string
  level: TrustLevel
}

export interface FolderTrust {
  /** True only when a TRUST_FOLDER or TRUST_PARENT rule covers the folder and no closer DO_NOT_TRUST does. */
  trusted: boolean
  /** `rule`: a rule decided it; `unknown`: no rule covers the folder (untrusted, and chat asks once). */
  decidedBy: 'rule' | 'unknown'
  /** The rule that decided, when one did. */
  rule?: TrustRule
  /** The folder the rule names as trusted or untrusted (a TRUST_PARENT rule's parent). */
  scope?: string
}

function within(location: string, root: string): boolean {
  const relative = path.relative(root, location)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/** The folder a rule speaks for: TRUST_PARENT trusts the folder's parent (and so its siblings), the others the folder. */
export function ruleScope(rule: TrustRule): string {
  const resolved = path.resolve(rule.path)
  return rule.level === 'TRUST_PARENT' ? path.dirname(resolved) : resolved
}

/**
 * The trust of `location` (absolute). Every rule whose scope contains the location applies, and the deepest scope
 * wins, so `DO_NOT_TRUST ~/src/odd` overrides `TRUST_PARENT ~/src/app` and `TRUST_FOLDER ~/src/odd/sub` overrides
 * both. On a tie the distrusting rule wins. No rule: untrusted and unknown.
 */
export function decideFolderTrust(rules: readonly TrustRule[], location: string): FolderTrust {
  const target = path.resolve(location)
  let best: {rule: TrustRule; scope: string} | undefined
  for (const rule of rules) {
    if (!path.isAbsolute(rule.path)) continue
    const scope = ruleScope(rule)
    if (!within(target, scope)) continue
    const deeper = !best || scope.length > best.scope.length
    const tieToDistrust = best && scope.length === best.scope.length && rule.level === 'DO_NOT_TRUST'
    if (deeper || tieToDistrust) best = {rule, scope}
  }
  if (!best) return {trusted: false, decidedBy: 'unknown'}
  return {trusted: best.rule.level !== 'DO_NOT_TRUST', decidedBy: 'rule', rule: best.rule, scope: best.scope}
}
