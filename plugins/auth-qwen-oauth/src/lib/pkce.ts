// PKCE (RFC 7636) with S256: a random verifier kept here, and its SHA-256 challenge sent with the device request.
import {createHash, randomBytes} from 'node:crypto'

export interface PkcePair {
  verifier: string
  challenge: string
}

export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url')
  return {verifier, challenge: challengeFor(verifier)}
}

export function challengeFor(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}
