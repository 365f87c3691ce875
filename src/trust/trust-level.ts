// The words of folder trust: Qwen Code's rule levels and the trust a config source carries.

/** A rule in ~/.qwen/trustedFolders.json, exactly as Qwen Code writes it. */
export const TRUST_LEVELS = ['TRUST_FOLDER', 'TRUST_PARENT', 'DO_NOT_TRUST'] as const
export type TrustLevel = (typeof TRUST_LEVELS)[number]

export function isTrustLevel(value: unknown): value is TrustLevel {
  return typeof value === 'string' && (TRUST_LEVELS as readonly string[]).includes(value)
}

/**
 * How much a config source is trusted:
 * - `user`: flags, the environment, ~/.qwen/settings.json, ~/.qwen/.env and ~/.env;
 * - `trusted-folder`: a project file in a folder the user trusts (or any project file when folder trust is off);
 * - `untrusted-folder`: a project file in any other folder. It may tighten the sandbox, never loosen it.
 */
export type SourceTrust = 'user' | 'trusted-folder' | 'untrusted-folder'

/** Whether a value from `value` may decide where a credential from `credential` is sent. */
export function mayRouteCredential(credential: SourceTrust, endpoint: SourceTrust): boolean {
  return endpoint !== 'untrusted-folder' || credential === 'untrusted-folder'
}
