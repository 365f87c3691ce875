// Who the runner runs as: apart from the agent (root with only CAP_SETUID/SETGID/SETPCAP, commands dropped to the agent
// with no capability, not even in the bounding set) when
// the image's runner knows how (protocol 3, declared by an image label), else as the agent itself (older images).
import {LABEL_PREFIX} from '../labels.js'

/** Image label: the runner protocol the image's runner speaks. */
export const RUNNER_PROTOCOL_LABEL = `${LABEL_PREFIX}.runner-protocol`
/** The first protocol whose runner keeps its control channel out of the commands' reach. */
export const SEPARATE_RUNNER_PROTOCOL = 3
/**
 * The only capabilities a separated runner holds: to start commands as the agent (SETUID, SETGID) with an empty
 * bounding set (SETPCAP). Commands hold none, in any set.
 */
export const RUNNER_CAPABILITIES = ['SETUID', 'SETGID', 'SETPCAP'] as const
/** CapPrm bits of CAP_SETGID (6), CAP_SETUID (7) and CAP_SETPCAP (8). */
export const RUNNER_CAPABILITY_BITS = (1n << 6n) | (1n << 7n) | (1n << 8n)

export type RunnerUser = 'separate' | 'agent'

/** From the image's labels: 'separate' when its runner can run commands as another user than itself. */
export function runnerUserOf(imageLabels: Record<string, string> | undefined): RunnerUser {
  const protocol = Number(imageLabels?.[RUNNER_PROTOCOL_LABEL] ?? 0)
  return Number.isInteger(protocol) && protocol >= SEPARATE_RUNNER_PROTOCOL ? 'separate' : 'agent'
}
