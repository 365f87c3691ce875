// Session ids, container/volume names and the session state carried in the container name (labels are immutable).
import crypto from 'node:crypto'

import {LABEL_PREFIX} from '../labels.js'

export const NAME_PREFIX = 'sandbox-agent-'

/** Labels this module adds on top of labels.ts. */
export const SessionLabels = {
  /** Hash of image + settings: a warm container is reused only for an identical configuration. */
  configHash: `${LABEL_PREFIX}.config-hash`,
  /** 'copy' or 'mount': how the workspace got into the container. */
  workspaceMode: `${LABEL_PREFIX}.workspace-mode`,
  volume: `${LABEL_PREFIX}.volume`,
  /** 'separate' or 'agent': whether the runner runs apart from the agent's commands (see runner-user.ts). */
  runnerUser: `${LABEL_PREFIX}.runner-user`,
  /** On a warm pool container (see pool/): the pool it belongs to, and when it stops being worth claiming. */
  pool: `${LABEL_PREFIX}.pool`,
  poolExpires: `${LABEL_PREFIX}.pool-expires`,
} as const

/**
 * A container's state after creation is encoded in its name, since Docker labels cannot change:
 * `sandbox-agent-<id>` owned by the process in its owner-pid label; `…--kept` stopped and kept for diff/apply;
 * `…--idle` running and warm for `--reuse`; `…--pool` started and waiting in the warm pool for any project;
 * `…--pid-<n>` reused (or taken from the pool) and now owned by process n.
 */
export type SessionState = {kind: 'active'; ownerPid?: number} | {kind: 'kept'} | {kind: 'idle'} | {kind: 'pool'}

export function newSessionId(): string {
  return crypto.randomBytes(6).toString('hex')
}

export function containerName(id: string, state: SessionState = {kind: 'active'}): string {
  const base = `${NAME_PREFIX}${id}`
  if (state.kind === 'kept') return `${base}--kept`
  if (state.kind === 'idle') return `${base}--idle`
  if (state.kind === 'pool') return `${base}--pool`
  return state.ownerPid === undefined ? base : `${base}--pid-${state.ownerPid}`
}

export function volumeName(id: string): string {
  return `${NAME_PREFIX}${id}-workspace`
}

/** Parses a container name (with or without Docker's leading slash); undefined when it is not one of ours. */
export function parseContainerName(name: string): {id: string; state: SessionState} | undefined {
  const match = /^\/?sandbox-agent-([0-9a-f]+)(?:--(kept|idle|pool|pid-(\d+)))?$/.exec(name)
  if (!match) return undefined
  const id = match[1]!
  if (match[2] === 'kept') return {id, state: {kind: 'kept'}}
  if (match[2] === 'idle') return {id, state: {kind: 'idle'}}
  if (match[2] === 'pool') return {id, state: {kind: 'pool'}}
  if (match[3]) return {id, state: {kind: 'active', ownerPid: Number(match[3])}}
  return {id, state: {kind: 'active'}}
}
