// The lines a command's result gets about its network use: each refusal explained, failures, a proxy that is gone.
import type {RefusedDestination} from '../types.js'
import type {ProxyRequestEvent} from './egress-proxy.js'

const MAX_NOTES = 10

/** Output that says a program tried to go out by itself (DNS or a direct route), which the sandbox never has. */
const DIRECT_ATTEMPT =
  /could not resolve host|resolving timed out|temporary failure in name resolution|name or service not known|getaddrinfo|ENOTFOUND|EAI_AGAIN|network is unreachable|ENETUNREACH|no route to host|connection timed out|ETIMEDOUT/i

/** One line for a request the proxy refused or could not complete; undefined for a request that went well. */
export function networkNote(event: ProxyRequestEvent): string | undefined {
  const target = `${event.host}:${event.port}`
  if (event.allowed) return event.error ? `network: ${target} was allowed but failed: ${event.error}` : undefined
  switch (event.reason) {
    case 'not-allowed':
      return `network: refused ${target} (not in sandbox.network.allow; add it, or run with --allow-host ${event.host})`
    case 'port':
      return `network: refused ${target} (this port is not in sandbox.network.allow; add ${target}, or run with --allow-host ${target})`
    case 'ip-literal':
      return `network: refused ${target} (an IP address, not a host name from sandbox.network.allow; ask for the host by name)`
    case 'ipv6':
      return `network: refused ${target} (IPv6 is not supported; the sandbox reaches IPv4 hosts by name)`
    case 'private-address':
      return `network: refused ${target} (resolves to ${event.detail ?? 'a private address'}; only an exact entry for ${event.host} in sandbox.network.allow may reach a private address)`
    case 'host-mismatch':
      return `network: refused ${target} (the Host header "${event.detail ?? ''}" names another host than the request's target)`
    case 'unresolved':
      return `network: refused ${target} (the name does not resolve${event.detail ? `: ${event.detail}` : ''})`
    case 'not-proxy-request':
    default:
      return `network: refused a request that was not a proxy request (the proxy does HTTP forwarding and CONNECT only)`
  }
}

export interface NotesInput {
  events: readonly ProxyRequestEvent[]
  proxyDown: string | undefined
  /** The command's output (the bounded text), to spot a program that tried DNS or a direct connection. */
  output: string
  failed: boolean
}

/** The notes for one command, refusals first, without repeats (a client retrying says the same thing once). */
export function networkNotes(input: NotesInput): string[] {
  const notes = new Set<string>()
  for (const event of input.events) {
    const note = networkNote(event)
    if (note) notes.add(note)
  }
  if (input.proxyDown)
    notes.add(`network: ${input.proxyDown}; nothing in the sandbox can connect out for the rest of this session`)
  else if (input.failed && input.events.length === 0 && DIRECT_ATTEMPT.test(input.output))
    notes.add(
      'network: the sandbox has no DNS and no route out; programs must use the proxy in $HTTPS_PROXY / $HTTP_PROXY, ' +
        'which reaches only the hosts in sandbox.network.allow',
    )
  const list = [...notes]
  return list.length > MAX_NOTES ? [...list.slice(0, MAX_NOTES), `network: (${list.length - MAX_NOTES} more)`] : list
}

/** Destinations refused only because the allow list lacks them (host or port), each once, in order. */
export function refusedDestinations(events: readonly ProxyRequestEvent[]): RefusedDestination[] {
  const seen = new Map<string, RefusedDestination>()
  for (const event of events) {
    if (event.allowed || (event.reason !== 'not-allowed' && event.reason !== 'port')) continue
    seen.set(`${event.host}:${event.port}`, {host: event.host, port: event.port})
  }
  return [...seen.values()]
}
