// Docker labels that mark what sandbox-agent created, so ls/prune and orphan detection find it and nothing else.
import os from 'node:os'

export const LABEL_PREFIX = 'dev.sandbox-agent'

export const Labels = {
  /** Present (value "true") on every container, volume and image this tool creates. */
  managed: `${LABEL_PREFIX}.managed`,
  sessionId: `${LABEL_PREFIX}.session-id`,
  workspace: `${LABEL_PREFIX}.workspace`,
  createdAt: `${LABEL_PREFIX}.created-at`,
  /** PID and host of the CLI process that owns a running session (orphan when that process is gone). */
  ownerPid: `${LABEL_PREFIX}.owner-pid`,
  ownerHost: `${LABEL_PREFIX}.owner-host`,
  /** "true" when the user asked to keep the container after the run (--keep / for later diff/apply). */
  kept: `${LABEL_PREFIX}.kept`,
  /** What a session's companion object is for (`network-proxy`); absent on the session container itself. */
  role: `${LABEL_PREFIX}.role`,
  /** Hash of the image definition (files under sandbox-images/<name>), to skip identical rebuilds. */
  imageDefinitionHash: `${LABEL_PREFIX}.definition-hash`,
  imageBuilder: `${LABEL_PREFIX}.builder`,
} as const

/** Docker API filter that matches every object this tool manages. */
export function managedFilter(): Record<string, string[]> {
  return {label: [`${Labels.managed}=true`]}
}

export function ownerLabels(): Record<string, string> {
  return {[Labels.ownerPid]: String(process.pid), [Labels.ownerHost]: os.hostname()}
}
